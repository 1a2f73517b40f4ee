import { createAdapter } from '@socket.io/redis-adapter';
import type { Logger } from 'pino';
import { createClient } from 'redis';
import type { Server } from 'socket.io';
import type { RigView, Sample } from '../contract/index.js';
import type { Decoded } from '../ingest/decode.js';

type Ingested = Extract<Decoded, { ok: true }>;
const EVENT = 'rigline:ingested';
const SNAPSHOT = 'rigline:snapshot';

/** The sample inside a rig view (what a peer needs to rebuild the rig). */
function sampleOf(view: RigView): Sample {
  const { status: _s, status_reasons: _r, status_details: _d, status_since: _ss, last_seen: _l, ...sample } = view;
  return sample as Sample;
}

/**
 * Scale-out over Redis. With an MQTT 5 shared subscription each instance receives only its share of the agents'
 * messages; every instance still needs the whole fleet (its browsers see the whole fleet, its alerts judge every
 * rig). So each instance stores what it received (once, in the shared store) and forwards it to its peers through
 * the socket.io Redis adapter (`serverSideEmit`), and peers apply it to their fleet state only. Every instance
 * then pushes live updates to its own clients (`io.local`), and a browser on any instance sees the same fleet.
 */
export class PeerSync {
  private constructor(
    private readonly io: Server,
    private readonly clients: { quit(): Promise<unknown> }[],
  ) {}

  /**
   * `rigs` gives this instance's current rigs to a peer that starts (or restarts) and asks for them, so a new
   * instance shows the whole fleet at once rather than after every rig has reported again.
   */
  static async start(url: string, io: Server, apply: (message: Ingested) => void, rigs: () => RigView[], log: Logger): Promise<PeerSync> {
    const pub = createClient({ url });
    const sub = createClient({ url });
    for (const client of [pub, sub]) client.on('error', (err: Error) => log.warn({ err: err.message }, 'redis error'));
    await Promise.all([pub.connect(), sub.connect()]);
    // The adapter publishes without handling the promise: a Redis timeout would be an unhandled rejection and stop
    // the process. A lost peer update only delays a peer's view of those rigs until their next sample: log it.
    const publish = pub.publish.bind(pub);
    Object.defineProperty(pub, 'publish', {
      value: (channel: string, message: string) =>
        publish(channel, message).catch((err: Error) => {
          log.warn({ err: err.message }, 'peer update not sent through redis');
          return 0;
        }),
    });
    io.adapter(createAdapter(pub, sub));
    io.on(EVENT, (message: Ingested) => {
      try {
        apply(message);
      } catch (err) {
        log.error({ err }, 'applying a peer update failed');
      }
    });
    io.on(SNAPSHOT, (reply: (rigs: Sample[]) => void) => reply(rigs().map(sampleOf)));
    try {
      const replies = (await io.serverSideEmitWithAck(SNAPSHOT)) as Sample[][] // redis adapter: requestsTimeout 5 s;
      for (const samples of replies) apply({ ok: true, kind: 'telemetry', site: '', source: 'peer-snapshot', samples });
      log.info({ peers: replies.length, rigs: replies.reduce((n, r) => n + r.length, 0) }, 'fleet state from peers');
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'no fleet snapshot from peers; state fills as agents report');
    }
    log.info({ redis: url }, 'sharing fleet state and live updates through redis');
    return new PeerSync(io, [pub, sub]);
  }

  /** Sends a message this instance ingested to every other instance (Redis pub/sub: at most once, in order). */
  share(message: Ingested): void {
    this.io.serverSideEmit(EVENT, message);
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.quit().catch(() => undefined)));
  }
}
