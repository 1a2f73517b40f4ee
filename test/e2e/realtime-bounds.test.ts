import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/contract/index.js';
import { FleetState } from '../../server/fleet/state.js';
import { parseConfig } from '../../server/config/load.js';
import { Broadcaster, MAX_WATCHED_SITES } from '../../server/realtime/broadcaster.js';
import { waitFor } from '../helpers/server.js';

describe('socket.io site watches are bounded per connection', () => {
  let http: Server;
  let broadcaster: Broadcaster;
  let client: Socket<ServerToClientEvents, ClientToServerEvents>;

  beforeAll(async () => {
    http = createServer();
    const state = new FleetState({ rules: parseConfig({}).alerts.rules, missedIntervals: 3, siteNames: new Map() });
    broadcaster = new Broadcaster(http, state, 100);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    client = connect(`http://127.0.0.1:${port}`, { transports: ['websocket'], forceNew: true });
    await waitFor(() => (client.connected ? true : undefined), 5000, 'socket connected');
  });

  afterAll(async () => {
    client?.close();
    await broadcaster?.close();
  });

  it('ignores watches past MAX_WATCHED_SITES, so made-up site ids cannot grow the room map without limit', async () => {
    const siteRooms = (): number => [...broadcaster.io.of('/').adapter.rooms.keys()].filter((r) => r.startsWith('site:')).length;
    // Events on one connection are handled in order: once an event sent after the watches is answered, every watch
    // was handled (a fixed pause proved that only when the server got through them in time).
    const [serverSide] = broadcaster.io.of('/').sockets.values();
    (serverSide as unknown as { on(event: string, listener: (ack: () => void) => void): void }).on('test:barrier', (ack) => ack());
    for (let i = 0; i < MAX_WATCHED_SITES + 500; i++) client.emit('site:watch', `made-up-${i}`);
    client.emit('site:watch', 'made-up-last');
    await (client as unknown as Socket).timeout(10_000).emitWithAck('test:barrier');
    expect(siteRooms()).toBe(MAX_WATCHED_SITES);

    // Unwatching frees a place for another site.
    client.emit('site:unwatch', 'made-up-0');
    client.emit('site:watch', 'another-site');
    await waitFor(() => (broadcaster.io.of('/').adapter.rooms.has('site:another-site') ? true : undefined), 5000, 'new watch');
    expect(siteRooms()).toBe(MAX_WATCHED_SITES);
  });
});
