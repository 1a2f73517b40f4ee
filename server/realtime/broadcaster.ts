import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { isValidId, siteRoom, type ClientToServerEvents, type ServerToClientEvents } from '../contract/index.js';
import type { FleetState } from '../fleet/state.js';

/**
 * Pushes fleet rollups to every client and site updates to each site's room, at most once per interval, and only
 * when something changed: a busy ingest never turns into a flood of socket messages.
 */
/**
 * Sites one connection may watch at once. A dashboard watches one; without a bound a client emitting site:watch
 * for a million made-up ids would grow the adapter's room map without limit.
 */
export const MAX_WATCHED_SITES = 64;

export class Broadcaster {
  readonly io: Server<ClientToServerEvents, ServerToClientEvents>;
  private timer: NodeJS.Timeout | null = null;
  /** Scale-out: emit to this instance's clients only (each instance has the whole fleet; see cluster/peer-sync). */
  localOnly = false;

  constructor(
    http: HttpServer,
    private readonly state: FleetState,
    private readonly intervalMs: number,
  ) {
    this.io = new Server(http, { serveClient: false });
    this.io.on('connection', (socket) => {
      socket.emit('fleet', { ts: Date.now(), fleet: state.fleet(), sites: state.sites() });
      socket.on('site:watch', (siteId) => {
        if (typeof siteId !== 'string' || !isValidId(siteId)) return;
        const room = siteRoom(siteId);
        // socket.rooms also holds the socket's own id room.
        if (!socket.rooms.has(room) && socket.rooms.size > MAX_WATCHED_SITES) return;
        void socket.join(room);
        // The rollup only: a site may hold 100,000 rigs, which clients page over REST (GET /api/sites/:id/rigs).
        const site = state.site(siteId);
        if (site) socket.emit('site', { ts: Date.now(), site, rigs: [] });
      });
      socket.on('site:unwatch', (siteId) => {
        if (typeof siteId === 'string') void socket.leave(siteRoom(siteId));
      });
    });
  }

  start(): void {
    this.timer = setInterval(() => this.flush(), this.intervalMs);
  }

  flush(): void {
    // Both emit paths reach this instance's own clients only (see localOnly), so its own rooms say who is watching:
    // for sites nobody watches no rig view is built and nothing is serialised.
    const rooms = this.io.of('/').adapter.rooms;
    const watched = (siteId: string): boolean => (rooms.get(siteRoom(siteId))?.size ?? 0) > 0;
    const changes = this.state.takeChanges(watched);
    if (changes.size === 0) return;
    const ts = Date.now();
    const out = this.localOnly ? this.io.local : this.io;
    // The fleet and site rollups go to every client (the overview), so they are sent whenever anything changed.
    if (this.io.engine.clientsCount > 0) out.emit('fleet', { ts, fleet: this.state.fleet(), sites: this.state.sites() });
    for (const [siteId, rigs] of changes) {
      if (!watched(siteId)) continue;
      const site = this.state.site(siteId);
      if (site) out.to(siteRoom(siteId)).emit('site', { ts, site, rigs });
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.io.close();
  }
}
