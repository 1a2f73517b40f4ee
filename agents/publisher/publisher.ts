import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import {
  SCHEMA_VERSION,
  statusTopic,
  telemetryTopic,
  type AgentStatus,
  type Sample,
  type TelemetryMessage,
} from '../../server/contract/index.js';
import { Backoff } from './backoff.js';

export interface PublisherOptions {
  url: string;
  /** Site and source id of this connection: a rig, or a site controller that publishes for many rigs. */
  site: string;
  source: string;
  clientId?: string;
  username?: string;
  password?: string;
  agent: { name: string; version: string };
  firmware?: string | null;
  backoff?: { initialMs: number; maxMs: number };
  connectTimeoutMs?: number;
  /** Announced in the birth status: where this connection takes operator commands (issue 14). */
  commands?: AgentStatus['commands'];
  /** mqtt.js client options that tests or TLS set-ups need (ca, cert, key, rejectUnauthorized). */
  extra?: Partial<IClientOptions>;
}

export interface ConnectionProblem {
  reason: string;
  retryInMs: number;
  url: string;
}

/**
 * Says why a connection attempt failed, in the operator's terms: the CONNACK return codes of MQTT 3.1.1 (section
 * 3.2.2.3: 4 bad user name or password, 5 not authorized) and the socket errors behind "no broker there".
 */
export function describeConnectionError(error: Error & { code?: unknown }): string {
  const code = error.code;
  if (code === 4 || code === 134) return 'the broker refused the login: bad user name or password';
  if (code === 5 || code === 135) return 'the broker refused the login: not authorized';
  if (code === 'ECONNREFUSED') return 'no broker listening there (connection refused)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the broker host name does not resolve';
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `the broker is unreachable (${String(code)})`;
  return error.message || String(code ?? 'connection error');
}

/**
 * The one MQTT publisher that the simulator and every real agent use: QoS 1 telemetry, retained birth 'online'
 * and Last Will 'offline' on the status topic, reconnect with exponential backoff and jitter.
 */
export class Publisher {
  readonly client: MqttClient;
  private readonly backoff: Backoff;
  private stopped = false;
  private readonly problemListeners: ((problem: ConnectionProblem) => void)[] = [];
  /** The failure of the current connection attempt (an 'error' comes before its 'close'). */
  private pendingReason: string | null = null;
  private everConnected = false;
  /**
   * Runs on every connect before the birth status goes out: an agent subscribes to its command topic here, so a
   * command the server sends the moment it sees the birth cannot arrive before the subscription (issue 14).
   */
  beforeBirth: (() => Promise<void>) | null = null;

  constructor(private readonly options: PublisherOptions) {
    this.backoff = new Backoff(options.backoff ?? { initialMs: 500, maxMs: 30_000 });
    const will: AgentStatus = this.status('offline', 'connection lost');
    this.client = mqtt.connect(options.url, {
      clientId: options.clientId ?? `rigline-${options.site}-${options.source}`,
      username: options.username,
      password: options.password,
      protocolVersion: 4,
      clean: true,
      connectTimeout: options.connectTimeoutMs ?? 10_000,
      reconnectPeriod: this.backoff.next(),
      will: {
        topic: statusTopic(options.site, options.source),
        payload: Buffer.from(JSON.stringify(will)),
        qos: 1,
        retain: true,
      },
      ...options.extra,
    });
    this.client.on('connect', () => {
      this.everConnected = true;
      this.pendingReason = null;
      this.backoff.reset();
      this.client.options.reconnectPeriod = this.backoff.next();
      const ready = this.beforeBirth ? this.beforeBirth().catch(() => undefined) : Promise.resolve();
      void ready.then(() => this.publishStatus('online', null));
    });
    // mqtt.js reconnects on a fixed period; widening it on each failure gives the backoff. Each failed attempt is
    // reported at once with its reason (refused login, no broker, TLS…) and when the next try comes.
    this.client.on('close', () => {
      if (this.stopped) return;
      const retryInMs = this.backoff.next();
      this.client.options.reconnectPeriod = retryInMs;
      const reason = this.pendingReason ?? (this.everConnected ? 'connection lost' : 'connection closed before the broker accepted it');
      this.pendingReason = null;
      for (const listener of this.problemListeners) listener({ reason, retryInMs, url: this.options.url });
    });
    // An unhandled 'error' would crash the agent: it is kept as the reason of the 'close' that follows it.
    this.client.on('error', (error: Error & { code?: unknown }) => {
      this.pendingReason = describeConnectionError(error);
    });
  }

  /** Called after every failed or lost connection with the reason and the wait before the next attempt. */
  onConnectionProblem(listener: (problem: ConnectionProblem) => void): void {
    this.problemListeners.push(listener);
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** Waits for the first connection; resolves false when it does not come within the timeout. */
  waitConnected(timeoutMs: number): Promise<boolean> {
    if (this.client.connected) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.client.off('connect', onConnect);
        resolve(false);
      }, timeoutMs);
      const onConnect = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.client.once('connect', onConnect);
    });
  }

  /** Publishes one sample or a batch at QoS 1; resolves once the broker acknowledged it. */
  publishSamples(samples: Sample[]): Promise<void> {
    if (samples.length === 0) return Promise.resolve();
    const message: TelemetryMessage =
      samples.length === 1 ? (samples[0] as Sample) : { schema: SCHEMA_VERSION, samples };
    return this.publishRaw(telemetryTopic(this.options.site, this.options.source), JSON.stringify(message));
  }

  publishRaw(topic: string, payload: string | Buffer, retain = false): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.publish(topic, payload, { qos: 1, retain }, (err) => (err ? reject(err) : resolve()));
    });
  }

  private status(state: AgentStatus['state'], reason: string | null): AgentStatus {
    return {
      schema: SCHEMA_VERSION,
      state,
      ts: Date.now(),
      agent: this.options.agent,
      firmware: this.options.firmware ?? null,
      reason,
      ...(this.options.commands ? { commands: this.options.commands } : {}),
    };
  }

  private publishStatus(state: AgentStatus['state'], reason: string | null): Promise<void> {
    const topic = statusTopic(this.options.site, this.options.source);
    return this.publishRaw(topic, JSON.stringify(this.status(state, reason)), true).catch(() => undefined);
  }

  /** Graceful stop: says 'offline' with a reason, then disconnects without triggering the Last Will. */
  async stop(reason = 'agent stopped'): Promise<void> {
    this.stopped = true;
    if (this.client.connected) {
      await this.publishStatus('offline', reason);
      await this.client.endAsync();
      return;
    }
    // Offline, a plain end() waits for the PUBACKs of messages that were in flight when the connection dropped,
    // which can never come: force it. (Their owners keep what was not acknowledged, e.g. the agent's spool.)
    await this.client.endAsync(true);
  }
}
