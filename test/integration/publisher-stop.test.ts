import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Publisher } from '../../agents/publisher/publisher.js';
import { waitFor } from '../helpers/server.js';
import { hasService, startMosquitto, type Service } from '../helpers/services.js';

/**
 * A TCP relay between the publisher and Mosquitto that can lose the broker's answers and then cut the line: the
 * way a network partition leaves QoS 1 messages in flight, unacknowledged, when the connection drops.
 */
async function startRelay(target: number): Promise<{ port: number; dropReplies(): void; cut(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let drop = false;
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: target });
    sockets.add(client).add(upstream);
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d) => {
      if (!drop) client.write(d);
    });
    const close = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    dropReplies: () => void (drop = true),
    cut: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe.skipIf(!hasService('mosquitto', 'mosquitto'))('publisher stop', () => {
  let broker: Service;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => broker?.dispose());

  it('returns when the connection dropped with messages still unacknowledged', async () => {
    const relay = await startRelay(broker.port);
    const publisher = new Publisher({
      url: `mqtt://127.0.0.1:${relay.port}`,
      site: 'site-a',
      source: 'agent-1',
      agent: { name: 'test', version: '0' },
      backoff: { initialMs: 100, maxMs: 200 },
    });
    expect(await publisher.waitConnected(5000)).toBe(true);
    relay.dropReplies();
    let acked = false;
    void publisher.publishRaw('rigline/v1/site-a/agent-1/telemetry', '{}').then(() => (acked = true), () => undefined);
    await relay.cut();
    await waitFor(() => (publisher.connected ? undefined : true), 5000, 'disconnect');
    await publisher.stop('stopped while offline');
    expect(acked).toBe(false);
    expect(publisher.client.disconnected).toBe(true);
  });
});
