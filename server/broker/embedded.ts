import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { limitPackets } from './packet-limit.js';
import { createServer as createTlsServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { Aedes, type AedesOptions } from 'aedes';

/** Topic (2-byte length + up to 65,535 bytes) and packet id of a PUBLISH, beyond its payload. */
const PUBLISH_OVERHEAD = 2 + 65_535 + 2;

export interface EmbeddedBroker {
  aedes: Aedes;
  port: number;
  /** The mqtts:// listener's port, when TLS is configured. */
  tlsPort: number | null;
  close(): Promise<void>;
}

/**
 * In-process MQTT broker (aedes) for the zero-install default. It speaks MQTT 3.1.1 only and ignores `$share`
 * subscriptions, so scale-out deployments use an external broker.
 */
export async function startEmbeddedBroker(
  host: string,
  port: number,
  hooks: Partial<AedesOptions> = {},
  tls?: { port: number; cert_file: string; key_file: string; ca_file?: string },
  limit?: { maxPayloadBytes: number; onOversized: (announced: number) => void },
): Promise<EmbeddedBroker> {
  const aedes = await Aedes.createBroker(hooks);
  // A PUBLISH carries topic (≤ 65,535 bytes plus its length), packet id and payload: the payload limit plus that.
  const handle = (socket: Socket): void => {
    // A broker relays small packets that someone waits for (PUBACK, a QoS 1 delivery, a command): Nagle would hold
    // any written while an earlier segment is unacknowledged until the peer's delayed ACK, ~40 ms each.
    socket.setNoDelay(true);
    if (!limit) aedes.handle(socket);
    else aedes.handle(limitPackets(socket, limit.maxPayloadBytes + PUBLISH_OVERHEAD, limit.onOversized));
  };
  const servers: Server[] = [createServer(handle)];
  if (tls) {
    const ca = tls.ca_file ? readFileSync(tls.ca_file) : undefined;
    servers.push(createTlsServer({ cert: readFileSync(tls.cert_file), key: readFileSync(tls.key_file), ca }, handle));
  }
  const listen = (server: Server, listenPort: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listenPort, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(servers[0] as Server, port);
  if (tls) await listen(servers[1] as Server, tls.port);
  const portOf = (server: Server | undefined): number | null => (server ? (server.address() as AddressInfo).port : null);
  return {
    aedes,
    port: portOf(servers[0]) as number,
    tlsPort: portOf(servers[1]),
    close: () =>
      new Promise<void>((resolve) => {
        aedes.close(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))).then(() => resolve()));
      }),
  };
}
