import type { PlanResult } from './contract.js';
import { FairQueue, QueueFullError } from './fair-queue.js';
import { PlannerRunner } from './runner.js';

/** A requester already has `max_queued_per_user` plans queued or running; `retryAfterS` is when one slot should be free. */
export class PlanBusyError extends Error {
  constructor(
    message: string,
    readonly retryAfterS: number,
  ) {
    super(message);
  }
}

export interface PlannerPoolOptions {
  workers: number;
  maxQueuedPerUser: number;
  timeoutMs?: number;
}

/** How many recent plan durations the Retry-After estimate averages over. */
const DURATION_SAMPLES = 20;

/**
 * Plan worker threads shared fairly: one PlannerRunner (worker thread) per slot, with requesters taking turns on
 * them (FairQueue), so 16 large plans from one viewer delay another user's small plan by about one plan per worker,
 * not by all 16 (issue #10, finding 7).
 */
export class PlannerPool {
  private readonly runners: PlannerRunner[];
  private readonly queue: FairQueue;
  private readonly recentMs: number[] = [];

  constructor(options: PlannerPoolOptions) {
    this.runners = Array.from({ length: options.workers }, () => new PlannerRunner(options.timeoutMs));
    this.queue = new FairQueue(options.workers, options.maxQueuedPerUser);
  }

  async run(requester: string, input: unknown): Promise<PlanResult> {
    try {
      return await this.queue.submit(requester, async (slot) => {
        const started = performance.now();
        try {
          return await (this.runners[slot] as PlannerRunner).run(input);
        } finally {
          this.recentMs.push(performance.now() - started);
          if (this.recentMs.length > DURATION_SAMPLES) this.recentMs.shift();
        }
      });
    } catch (err) {
      if (err instanceof QueueFullError) throw new PlanBusyError(err.message, this.retryAfterS());
      throw err;
    }
  }

  /** Seconds until a slot is likely free: the mean recent plan time across the queue ahead, 1 s to 2 min. */
  private retryAfterS(): number {
    const meanMs = this.recentMs.length ? this.recentMs.reduce((a, b) => a + b, 0) / this.recentMs.length : 1000;
    const ahead = this.queue.queued + this.queue.slots;
    return Math.min(120, Math.max(1, Math.ceil((meanMs * ahead) / this.queue.slots / 1000)));
  }

  async close(): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.close()));
  }
}
