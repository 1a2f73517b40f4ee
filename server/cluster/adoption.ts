import type { Logger } from 'pino';
import { createClient } from 'redis';

/**
 * Session adoption for scale-out. Each instance owns an MQTT session (its stable client id) in the shared group, and
 * the broker keeps routing a share of the messages to it even while it is down (Mosquitto queues for an offline
 * shared-subscription member). So when an instance stops sending heartbeats, one survivor — whoever takes the
 * Redis lock — connects under the dead instance's client id, drains its queue and keeps taking its share, until the
 * instance returns and takes its session back (MQTT session takeover), which ends the adoptive connection.
 */
export interface AdoptedSession {
  /** Resolves when the adoptive connection has closed (session taken back, or stopped). */
  closed(): Promise<void>;
  stop(): Promise<void>;
}

const connectRedis = (url: string) => createClient({ url });
type Redis = ReturnType<typeof connectRedis>;

const PREFIX = 'rigline:ingest';
const HEARTBEAT_MS = 1000;
const DEAD_AFTER_S = 4;

export class SessionAdoption {
  private timer: NodeJS.Timeout | null = null;
  private readonly adopted = new Map<string, AdoptedSession>();
  private constructor(
    private readonly redis: Redis,
    private readonly self: string,
    private readonly adopt: (clientId: string) => Promise<AdoptedSession>,
    private readonly log: Logger,
  ) {}

  static async start(url: string, self: string, adopt: (clientId: string) => Promise<AdoptedSession>, log: Logger): Promise<SessionAdoption> {
    const redis = connectRedis(url);
    redis.on('error', (err: Error) => log.warn({ err: err.message }, 'redis error (session adoption)'));
    await redis.connect();
    const adoption = new SessionAdoption(redis, self, adopt, log);
    await redis.sAdd(`${PREFIX}:members`, self);
    await adoption.beat();
    adoption.timer = setInterval(() => void adoption.beat().catch(() => undefined), HEARTBEAT_MS);
    return adoption;
  }

  /** Names the ids whose adoptive sessions this instance holds. */
  get holding(): string[] {
    return [...this.adopted.keys()];
  }

  private async beat(): Promise<void> {
    await this.redis.set(`${PREFIX}:alive:${this.self}`, '1', { EX: DEAD_AFTER_S });
    for (const peer of await this.redis.sMembers(`${PREFIX}:members`)) {
      if (peer === this.self) continue;
      const held = this.adopted.get(peer);
      if (held) {
        await this.redis.expire(`${PREFIX}:adopt:${peer}`, DEAD_AFTER_S * 2);
        continue;
      }
      if (await this.redis.exists(`${PREFIX}:alive:${peer}`)) continue;
      const lock = await this.redis.set(`${PREFIX}:adopt:${peer}`, this.self, { NX: true, EX: DEAD_AFTER_S * 2 });
      if (lock !== 'OK') continue;
      this.log.warn({ peer }, 'peer instance silent: adopting its MQTT session');
      try {
        const session = await this.adopt(peer);
        this.adopted.set(peer, session);
        void session.closed().then(async () => {
          this.adopted.delete(peer);
          await this.redis.del(`${PREFIX}:adopt:${peer}`).catch(() => undefined);
          this.log.info({ peer }, 'adopted session handed back');
        });
      } catch (err) {
        this.log.error({ peer, err: (err as Error).message }, 'adopting a session failed');
        await this.redis.del(`${PREFIX}:adopt:${peer}`).catch(() => undefined);
      }
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const session of this.adopted.values()) await session.stop();
    this.adopted.clear();
    await this.redis.quit().catch(() => undefined);
  }
}
