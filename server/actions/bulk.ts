import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { ActionRecord, ActionRequest, BulkProgress } from '../contract/index.js';
import type { ActionService } from './service.js';

export interface BulkOptions {
  service: ActionService;
  log: Logger;
  /** The pace window (a minute by default; shorter in tests). */
  windowMs: number;
  now?: () => number;
  /** How often a running bulk looks whether the pace allows its next rigs. */
  tickMs?: number;
}

/** Finished (done or cancelled) runs kept for GET /api/actions/bulk; older ones are forgotten (the audit log keeps each action). */
export const MAX_FINISHED_RUNS = 1000;

interface Run {
  progress: BulkProgress;
  queue: string[];
  request: ActionRequest;
  startedMs: number;
  timer: NodeJS.Timeout | null;
  finished: Set<string>;
}

/**
 * Bulk actions on a site at a pace: at any moment at most `per_window × (1 + whole windows since the start)` of
 * its rigs have been issued, `per_window` being the given share (default 5 %) of the site's rigs, at least one. So
 * a bulk restart never takes the whole site down at once, and any one window sees at most one window's share
 * started. Progress (issued, done, failed) is kept per run; a run can be cancelled (rigs not yet issued are not).
 */
export class BulkRunner {
  private readonly runs = new Map<string, Run>();
  private readonly now: () => number;
  private readonly byAction = new Map<string, string>();

  constructor(private readonly options: BulkOptions) {
    this.now = options.now ?? Date.now;
    options.service.onChange((record) => this.observe(record));
  }

  start(site: string, siteRigCount: number, rigs: readonly string[], request: ActionRequest, by: string, pacePct: number): BulkProgress {
    const perWindow = Math.max(1, Math.floor((siteRigCount * pacePct) / 100));
    const id = randomUUID();
    const run: Run = {
      progress: {
        id,
        site,
        action: request.action,
        by,
        created: new Date(this.now()).toISOString(),
        state: 'running',
        total: rigs.length,
        issued: 0,
        done: 0,
        failed: 0,
        per_window: perWindow,
        window_ms: this.options.windowMs,
      },
      queue: [...rigs],
      request,
      startedMs: this.now(),
      timer: null,
      finished: new Set(),
    };
    this.runs.set(id, run);
    this.options.log.info({ bulk: id, site, action: request.action, rigs: rigs.length, perWindow, by }, 'bulk action started');
    this.pump(run);
    return { ...run.progress };
  }

  get(id: string): BulkProgress | null {
    const run = this.runs.get(id);
    return run ? { ...run.progress } : null;
  }

  list(site?: string): BulkProgress[] {
    return [...this.runs.values()].filter((r) => site === undefined || r.progress.site === site).map((r) => ({ ...r.progress })).reverse();
  }

  cancel(id: string): BulkProgress | null {
    const run = this.runs.get(id);
    if (!run) return null;
    if (run.progress.state === 'running') {
      run.queue = [];
      run.progress.state = 'cancelled';
      if (run.timer) clearTimeout(run.timer);
      this.forgetOldRuns();
    }
    return { ...run.progress };
  }

  /** Oldest finished runs first (the map keeps start order), until at most MAX_FINISHED_RUNS finished ones remain. */
  private forgetOldRuns(): void {
    let finished = 0;
    for (const run of this.runs.values()) if (run.progress.state !== 'running') finished++;
    if (finished <= MAX_FINISHED_RUNS) return;
    const forgotten = new Set<string>();
    for (const [id, run] of this.runs) {
      if (finished <= MAX_FINISHED_RUNS) break;
      if (run.progress.state === 'running') continue;
      this.runs.delete(id);
      forgotten.add(id);
      finished--;
    }
    for (const [action, bulk] of this.byAction) if (forgotten.has(bulk)) this.byAction.delete(action);
  }

  private allowed(run: Run): number {
    const windows = Math.floor((this.now() - run.startedMs) / this.options.windowMs);
    return run.progress.per_window * (1 + windows);
  }

  private pump(run: Run): void {
    run.timer = null;
    if (run.progress.state !== 'running') return;
    while (run.queue.length > 0 && run.progress.issued < this.allowed(run)) {
      const rig = run.queue.shift() as string;
      run.progress.issued++;
      try {
        const record = this.options.service.create(rig, run.request, run.progress.by, run.progress.id);
        this.byAction.set(record.id, run.progress.id);
      } catch (err) {
        // A rig that vanished or has no agent counts as failed; the run goes on.
        run.progress.failed++;
        this.options.log.warn({ bulk: run.progress.id, rig, err: (err as Error).message }, 'bulk action skipped a rig');
      }
    }
    if (run.queue.length === 0) {
      this.settle(run);
      return;
    }
    const nextWindowAt = run.startedMs + (Math.floor((this.now() - run.startedMs) / this.options.windowMs) + 1) * this.options.windowMs;
    run.timer = setTimeout(() => this.pump(run), Math.max(1, Math.min(nextWindowAt - this.now(), this.options.tickMs ?? 1000)));
    run.timer.unref();
  }

  private observe(record: ActionRecord): void {
    const bulkId = record.bulk ?? this.byAction.get(record.id);
    const run = bulkId ? this.runs.get(bulkId) : undefined;
    if (!run || run.finished.has(record.id)) return;
    if (record.state === 'done') run.progress.done++;
    else if (record.state === 'failed' || record.state === 'expired') run.progress.failed++;
    else return;
    run.finished.add(record.id);
    this.byAction.delete(record.id);
    this.settle(run);
  }

  private settle(run: Run): void {
    if (run.progress.state === 'running' && run.queue.length === 0 && run.progress.done + run.progress.failed >= run.progress.total) {
      run.progress.state = 'done';
      this.forgetOldRuns();
    }
  }

  stop(): void {
    for (const run of this.runs.values()) if (run.timer) clearTimeout(run.timer);
  }
}
