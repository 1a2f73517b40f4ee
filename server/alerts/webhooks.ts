import type { Logger } from 'pino';
import type { Alert } from '../contract/index.js';
import type { AlertsConfig, WebhookConfig } from '../config/alerts-schema.js';
import type { AlertEvent } from './engine.js';
import { jsonPayload, slackPayload } from './payload.js';

interface Delivery {
  body: string;
  attempt: number;
}

export interface WebhookStats {
  url: string;
  delivered: number;
  failed: number;
  dropped: number;
  queued: number;
}

/** Retry on network errors, timeouts, 429 and 5xx; any other answer is final (a 4xx will not fix itself). */
const retryable = (status: number): boolean => status === 429 || status >= 500;

/**
 * Delivers alert notifications to one webhook, one at a time in order, with exponential backoff between
 * attempts. The queue is bounded: while a receiver is down the oldest notifications are dropped and counted.
 */
class WebhookQueue {
  private readonly queue: Delivery[] = [];
  private running = false;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;
  readonly stats: WebhookStats;

  constructor(
    private readonly hook: WebhookConfig,
    private readonly retry: AlertsConfig['retry'],
    private readonly log: Logger,
  ) {
    // Only the origin is shown and logged: Slack-style webhook URLs carry their secret in the path.
    this.stats = { url: `${new URL(hook.url).origin}/…`, delivered: 0, failed: 0, dropped: 0, queued: 0 };
  }

  push(body: string): void {
    if (this.closed) return;
    this.queue.push({ body, attempt: 0 });
    if (this.queue.length > this.retry.queue_limit) {
      this.queue.shift();
      this.stats.dropped++;
    }
    this.stats.queued = this.queue.length;
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0 && !this.closed) {
      const delivery = this.queue[0] as Delivery;
      const outcome = await this.send(delivery.body);
      const ok = outcome === 'ok';
      delivery.attempt++;
      if (ok || outcome === 'final' || delivery.attempt >= this.retry.attempts) {
        this.queue.shift();
        if (ok) this.stats.delivered++;
        else {
          this.stats.failed++;
          this.log.error({ webhook: this.stats.url, attempts: delivery.attempt }, 'alert webhook gave up');
        }
        this.stats.queued = this.queue.length;
        continue;
      }
      const delay = Math.min(this.retry.max_ms, this.retry.initial_ms * 2 ** (delivery.attempt - 1));
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, delay);
      });
    }
    this.running = false;
  }

  private async send(body: string): Promise<'ok' | 'retry' | 'final'> {
    try {
      const res = await fetch(this.hook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'rigline-alerts', ...this.hook.headers },
        body,
        signal: AbortSignal.timeout(this.hook.timeout_ms),
      });
      await res.body?.cancel();
      if (res.ok) return 'ok';
      this.log.warn({ webhook: this.stats.url, status: res.status }, 'alert webhook refused');
      return retryable(res.status) ? 'retry' : 'final';
    } catch (err) {
      this.log.warn({ webhook: this.stats.url, err: (err as Error).message }, 'alert webhook unreachable');
      return 'retry';
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
  }
}

/** Alerts per notification at most; a larger group is sent in several. */
const MAX_GROUP = 500;

/**
 * Sends opened (and, per webhook, resolved) alerts to every configured webhook at or above its severity. Alerts of
 * the same rule, site and event within alerts.group_wait_ms go out as one notification (0: each on its own).
 */
export class WebhookNotifier {
  private readonly queues: { hook: WebhookConfig; queue: WebhookQueue }[];
  private readonly groups = new Map<string, { event: AlertEvent; alerts: Alert[]; queued: (() => void)[]; timer: NodeJS.Timeout }>();

  constructor(
    private readonly config: AlertsConfig,
    log: Logger,
  ) {
    this.queues = config.webhooks.map((hook) => ({ hook, queue: new WebhookQueue(hook, config.retry, log) }));
  }

  /** Whether notify() would send anything for this event (acknowledgements and manual resolutions are not sent). */
  wants(alert: Alert, event: AlertEvent): boolean {
    return this.queues.length > 0 && event !== 'acknowledged' && !(event === 'resolved' && alert.resolved_by === 'manual');
  }

  /** `queued` runs once the notification is in the webhook queues (after group_wait_ms); cluster claims use it. */
  notify(alert: Alert, event: AlertEvent, queued?: () => void): void {
    if (!this.wants(alert, event)) return;
    if (this.config.group_wait_ms === 0) {
      this.send([alert], event);
      queued?.();
      return;
    }
    const key = `${event}:${alert.site}:${alert.kind}`;
    const group = this.groups.get(key);
    if (group) {
      group.alerts.push(alert);
      if (queued) group.queued.push(queued);
      return;
    }
    const timer = setTimeout(() => this.flush(key), this.config.group_wait_ms);
    this.groups.set(key, { event, alerts: [alert], queued: queued ? [queued] : [], timer });
  }

  private flush(key: string): void {
    const group = this.groups.get(key);
    if (!group) return;
    this.groups.delete(key);
    for (let i = 0; i < group.alerts.length; i += MAX_GROUP) this.send(group.alerts.slice(i, i + MAX_GROUP), group.event);
    for (const queued of group.queued) queued();
  }

  private send(alerts: Alert[], event: AlertEvent): void {
    for (const { hook, queue } of this.queues) {
      if (event === 'resolved' && !hook.send_resolved) continue;
      const wanted = hook.min_severity === 'critical' ? alerts.filter((a) => a.severity === 'critical') : alerts;
      if (wanted.length === 0) continue;
      const payload = hook.format === 'slack' ? slackPayload(wanted, event, this.config.dashboard_url) : jsonPayload(wanted, event, this.config.dashboard_url);
      queue.push(JSON.stringify(payload));
    }
  }

  stats(): WebhookStats[] {
    return this.queues.map((q) => ({ ...q.queue.stats }));
  }

  /** Sends what is still grouped, then stops retrying. */
  close(): void {
    for (const [key, group] of this.groups) {
      clearTimeout(group.timer);
      this.flush(key);
    }
    for (const { queue } of this.queues) queue.close();
  }
}
