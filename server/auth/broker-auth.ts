import type { Aedes, AedesOptions, Client } from 'aedes';
import { canPublish, canSubscribe, principalOf, type MqttPrincipal } from './acl.js';
import { foreignRig } from './ownership.js';
import { digestEquals, randomSecret, tokenDigest, verifyPassword } from './secrets.js';
import type { CredentialStore } from './store.js';

/** Where refused publishes are routed: nobody may subscribe to it (canSubscribe allows rigline topics only). */
const REFUSED_TOPIC = '$rigline/refused';

export interface MqttCredentials {
  username: string;
  password: string;
}

/** What the broker refused, by reason: /api/health reports these under ingest.invalid. */
export type RefusalCounter = (reason: 'unauthenticated' | 'unauthorized' | 'unauthorized_subscribe' | 'client_id_mismatch') => void;

/**
 * Authentication and authorization for the embedded (aedes) broker: no anonymous client, agents from the
 * credentials file, and two identities the process makes for itself at start (its ingest client and, for the demo,
 * its simulator), whose random passwords never leave memory.
 */
export class BrokerAuth {
  readonly ingest: MqttCredentials = { username: `rigline-ingest-${randomSecret(6)}`, password: randomSecret() };
  readonly local: MqttCredentials = { username: `rigline-local-${randomSecret(6)}`, password: randomSecret() };
  private readonly clients = new Map<Client, MqttPrincipal>();
  /** Agents verified in this process: PBKDF2 runs once per password, not on every reconnect. */
  private readonly verified = new Map<string, string>();

  constructor(
    private readonly store: CredentialStore,
    private readonly refused: RefusalCounter,
    /** The server's own ingest session (config mqtt.client_id): only its own ingest credential may use it. */
    private readonly ingestClientId = 'rigline-server',
  ) {
    store.watch(() => this.dropRevoked());
  }

  /**
   * The client id a principal must connect with, or null when any id not taken by another identity will do. An
   * MQTT client id names a session, and a CONNECT with an id in use takes that session over (MQTT 3.1.1 §3.1.4):
   * an agent that could pick the server's id would take over the server's persistent session, and the broker would
   * discard the queued telemetry that agent may not read. So every credential has its own id, as Mosquitto's
   * `use_username_as_clientid true` (config/mosquitto.conf) makes it there.
   */
  private requiredClientId(principal: MqttPrincipal): string | null {
    if (principal.kind === 'agent' || (principal.kind === 'ingest' && principal.username !== this.ingest.username)) return principal.username;
    if (principal.kind === 'ingest') return this.ingestClientId;
    return null;
  }

  private clientIdAllowed(principal: MqttPrincipal, clientId: string): boolean {
    const required = this.requiredClientId(principal);
    if (required !== null) return clientId === required && (principal.kind !== 'agent' || clientId !== this.ingestClientId);
    // The in-process simulator: any id that is not the server's or an agent's.
    return clientId !== this.ingestClientId && this.store.agent(clientId) === undefined;
  }

  private lookup(username: string | undefined, password: Buffer | undefined): MqttPrincipal | null {
    if (!username || !password) return null;
    const secret = password.toString('utf8');
    for (const [own, kind] of [
      [this.ingest, 'ingest'],
      [this.local, 'local'],
    ] as const) {
      if (username === own.username) {
        return digestEquals(tokenDigest(secret), tokenDigest(own.password)) ? { kind, username } : null;
      }
    }
    const record = this.store.agent(username);
    if (!record) return null;
    const principal = principalOf(record);
    if (!principal) return null;
    const cacheKey = `${record.hash}\n${tokenDigest(secret)}`;
    if (this.verified.get(username) !== cacheKey) {
      if (!verifyPassword(secret, record.hash)) return null;
      this.verified.set(username, cacheKey);
    }
    return principal;
  }

  /** Disconnects clients whose credential was revoked or removed since they connected. */
  private dropRevoked(): void {
    for (const [client, principal] of this.clients) {
      if (principal.kind !== 'agent') continue;
      const record = this.store.agent(principal.username);
      if (!record || record.revoked) {
        this.clients.delete(client);
        client.close();
      }
    }
  }

  /** Forgets clients as they leave. */
  attach(aedes: Aedes): void {
    aedes.on('clientDisconnect', (client) => this.clients.delete(client));
  }

  hooks(): Partial<AedesOptions> {
    return {
      authenticate: (client, username, password, done) => {
        const principal = this.lookup(username, password);
        if (!principal) {
          this.refused('unauthenticated');
          const error = Object.assign(new Error('bad username or password'), { returnCode: 4 as const });
          done(error, false);
          return;
        }
        if (!this.clientIdAllowed(principal, client.id)) {
          this.refused('client_id_mismatch');
          // CONNACK 2, identifier rejected (MQTT 3.1.1 §3.2.2.3).
          const error = Object.assign(new Error(`client id must be ${this.requiredClientId(principal) ?? 'your own'}`), { returnCode: 2 as const });
          done(error, false);
          return;
        }
        this.clients.set(client, principal);
        done(null, true);
      },
      authorizePublish: (client, packet, done) => {
        // client is null for messages the broker itself publishes (a will after its client left).
        const principal = client ? this.clients.get(client) : undefined;
        // A rig agent's batch may name only its own rigs, whatever topic it goes to (ownership.ts).
        const foreign = principal?.kind === 'agent' && principal.rigs !== null && foreignRig(packet.payload, principal.rigs) !== null;
        if (client && (!principal || !canPublish(principal, packet.topic) || foreign)) {
          // MQTT-3.3.5-2 allows acknowledging or closing. Acknowledge and drop, as Mosquitto does: closing makes the
          // client resend the same message on every reconnect, forever. The message goes to a topic nobody may read.
          this.refused('unauthorized');
          const dropped = packet as { topic: string; payload: Buffer | string; retain: boolean };
          dropped.topic = REFUSED_TOPIC;
          dropped.payload = Buffer.alloc(0);
          dropped.retain = false;
        }
        done(null);
      },
      authorizeSubscribe: (client, subscription, done) => {
        const principal = this.clients.get(client);
        if (!principal || !canSubscribe(principal, subscription.topic)) {
          this.refused('unauthorized_subscribe');
          done(null, null); // SUBACK 0x80: refused, connection kept (MQTT 3.1.1 §3.9.3)
          return;
        }
        done(null, subscription);
      },
    };
  }
}
