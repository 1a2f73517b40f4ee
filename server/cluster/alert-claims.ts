import type { Logger } from 'pino';
import { createClient } from 'redis';
import type { AlertEvent } from '../alerts/engine.js';
import type { NotifyGate } from '../alerts/service.js';
import type { Alert } from '../contract/index.js';

const connectRedis = (url: string) => createClient({ url });
type Redis = ReturnType<typeof connectRedis>;

const PREFIX = 'rigline:alerts';
const SENT = 'sent';
const HEARTBEAT_MS = 1000;
const ALIVE_S = 4;
/** An open alert's claim lives while some instance holds the alert (refreshed), so a restarted instance that
 *  raises the same ongoing alert again does not notify again. */
const OPEN_TTL_MS = 10 * 60_000;
const REFRESH_MS = 60_000;
/** Peers resolve the same episode within an evaluation interval or two of each other. */
const RESOLVED_TTL_MS = 30_000;
/** How often a losing instance checks that the winner queued the notification, and for how long. */
const CHECK_MS = 3000;
const MAX_CHECKS = 20;

/** Hands a claim over from a dead claimer to this instance, atomically (only if the dead one still holds it). */
const TAKEOVER = "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL') return 1 else return 0 end";

/** The same condition on every instance: alert ids differ per instance (each engine numbers its own). */
export const subjectOf = (a: Pick<Alert, 'kind' | 'site' | 'rig'>): string => `${a.kind}:${a.site}:${a.rig ?? '-'}`;

/**
 * Exactly one notification per alert event across a cluster. Every instance holds the whole fleet and raises the
 * same alerts; before sending, each claims `(condition, event)` in Redis with `SET NX` and only the winner sends,
 * then marks the claim `sent` once the notification is in its webhook queues. A loser keeps the notification and
 * checks the claim: if the claimer's heartbeat has expired before it marked the claim (it died during
 * alerts.group_wait_ms), the loser takes the claim over atomically and sends. A notification already queued by an
 * instance that then dies with its receiver down is lost with that instance's queue, as on a single server.
 * If Redis is unreachable, every instance sends (a duplicate is better than silence).
 */
export class AlertClaims {
  private readonly timers = new Set<NodeJS.Timeout>();
  private heartbeat: NodeJS.Timeout | null = null;
  private refresher: NodeJS.Timeout | null = null;

  private constructor(
    readonly redis: Redis,
    private readonly self: string,
    private readonly wants: (alert: Alert, event: AlertEvent) => boolean,
    private readonly checkAfterMs: number,
    private readonly log: Logger,
  ) {}

  static async start(
    url: string,
    self: string,
    options: { wants: (alert: Alert, event: AlertEvent) => boolean; groupWaitMs: number; active: () => Alert[] },
    log: Logger,
  ): Promise<AlertClaims> {
    const redis = connectRedis(url);
    redis.on('error', (err: Error) => log.warn({ err: err.message }, 'redis error (alert claims)'));
    await redis.connect();
    const claims = new AlertClaims(redis, self, options.wants, options.groupWaitMs + CHECK_MS, log);
    const beat = (): Promise<unknown> => redis.set(`${PREFIX}:alive:${self}`, '1', { EX: ALIVE_S });
    await beat();
    claims.heartbeat = setInterval(() => void beat().catch(() => undefined), HEARTBEAT_MS);
    claims.refresher = setInterval(() => void claims.refresh(options.active()).catch(() => undefined), REFRESH_MS);
    return claims;
  }

  readonly gate: NotifyGate = (alert, event, send) => {
    // Redis down: node-redis would hold the claim until it reconnects; send now rather than late.
    if (!this.redis.isReady) {
      if (this.wants(alert, event)) send();
      return;
    }
    this.claim(alert, event, send).catch((err: Error) => {
      this.log.warn({ alert: alert.id, event, err: err.message }, 'alert claim failed: sending anyway');
      if (this.wants(alert, event)) send();
    });
  };

  private async claim(alert: Alert, event: AlertEvent, send: (queued?: () => void) => void): Promise<void> {
    if (event === 'acknowledged') return;
    const subject = subjectOf(alert);
    if (event === 'opened') {
      await this.race(`${PREFIX}:open:${subject}`, OPEN_TTL_MS, alert, event, send);
      return;
    }
    // Resolved (cleared or by hand): the winner also releases the episode, so the next one notifies again.
    if (await this.race(`${PREFIX}:resolved:${subject}`, RESOLVED_TTL_MS, alert, event, send)) {
      await this.redis.del([`${PREFIX}:open:${subject}`, ackKey(subject)]);
    }
  }

  private async race(key: string, ttlMs: number, alert: Alert, event: AlertEvent, send: (queued?: () => void) => void): Promise<boolean> {
    const won = (await this.redis.set(key, this.self, { NX: true, PX: ttlMs })) === 'OK';
    if (won) this.sendAndMark(key, alert, event, send);
    else if (this.wants(alert, event)) this.watch(key, alert, event, send, 0);
    return won;
  }

  private sendAndMark(key: string, alert: Alert, event: AlertEvent, send: (queued?: () => void) => void): void {
    const mark = (): void => void this.redis.set(key, SENT, { XX: true, KEEPTTL: true }).catch(() => undefined);
    if (this.wants(alert, event)) send(mark);
    else mark();
  }

  /** A loser's check: the claim is `sent` (done), gone (episode resolved), held by a live peer (wait), or orphaned. */
  private watch(key: string, alert: Alert, event: AlertEvent, send: (queued?: () => void) => void, checks: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void (async () => {
        const holder = await this.redis.get(key);
        if (holder === null || holder === SENT) return;
        if (await this.redis.exists(`${PREFIX}:alive:${holder}`)) {
          if (checks + 1 < MAX_CHECKS) this.watch(key, alert, event, send, checks + 1);
          return;
        }
        if ((await this.redis.eval(TAKEOVER, { keys: [key], arguments: [holder, this.self] })) !== 1) return;
        this.log.warn({ alert: alert.id, event, claimer: holder }, 'alert claimer died before sending: sending in its place');
        this.sendAndMark(key, alert, event, send);
      })().catch((err: Error) => this.log.warn({ err: err.message }, 'alert claim check failed'));
    }, this.checkAfterMs);
    this.timers.add(timer);
  }

  /** Keeps the claims (and acknowledgements) of alerts still active here from expiring. */
  private async refresh(active: Alert[]): Promise<void> {
    if (active.length === 0) return;
    const multi = this.redis.multi();
    for (const alert of active) {
      multi.pExpire(`${PREFIX}:open:${subjectOf(alert)}`, OPEN_TTL_MS);
      multi.pExpire(ackKey(subjectOf(alert)), OPEN_TTL_MS);
    }
    await multi.exec();
  }

  /** Acknowledgement of a condition, kept for instances that raise the alert later (started after the ack). */
  async recordAck(alert: Alert): Promise<void> {
    await this.redis.set(ackKey(subjectOf(alert)), JSON.stringify(alert.acknowledged_by), { PX: OPEN_TTL_MS });
  }

  /** Who acknowledged this condition on another instance, if anyone did (undefined: not acknowledged). */
  async ackOf(alert: Alert): Promise<string | null | undefined> {
    const raw = await this.redis.get(ackKey(subjectOf(alert)));
    return raw === null ? undefined : (JSON.parse(raw) as string | null);
  }

  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.refresher) clearInterval(this.refresher);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.redis.del(`${PREFIX}:alive:${this.self}`).catch(() => undefined);
    await this.redis.quit().catch(() => undefined);
  }
}

const ackKey = (subject: string): string => `${PREFIX}:ack:${subject}`;
