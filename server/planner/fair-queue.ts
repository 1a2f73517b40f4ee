/** Raised by FairQueue.submit when a requester already has `maxPerKey` jobs queued or running. */
export class QueueFullError extends Error {
  constructor(
    readonly key: string,
    readonly pending: number,
  ) {
    super(`${pending} plans already queued or running for this requester`);
  }
}

interface Job {
  run: (slot: number) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Runs jobs on `slots` parallel slots, taking turns across requesters (round-robin by key): a requester with many
 * queued jobs delays another requester's first job by at most one job per busy slot, never by its whole queue.
 * `maxPerKey` bounds what one requester may have queued or running at once (issue #10, finding 7).
 */
export class FairQueue {
  /** Waiting jobs per requester; a key is present only while it has waiting jobs. */
  private readonly waiting = new Map<string, Job[]>();
  private readonly pendingByKey = new Map<string, number>();
  /** The turn each requester with jobs pending was last served at; the least recently served goes next. */
  private readonly lastTurn = new Map<string, number>();
  private turn = 0;
  private readonly freeSlots: number[];

  constructor(
    readonly slots: number,
    readonly maxPerKey: number,
  ) {
    if (!(slots >= 1 && maxPerKey >= 1)) throw new RangeError('FairQueue needs at least one slot and one job per key');
    this.freeSlots = Array.from({ length: slots }, (_, i) => slots - 1 - i);
  }

  /** Jobs queued or running for `key`. */
  pending(key: string): number {
    return this.pendingByKey.get(key) ?? 0;
  }

  /** Jobs waiting for a slot, all requesters. */
  get queued(): number {
    let total = 0;
    for (const jobs of this.waiting.values()) total += jobs.length;
    return total;
  }

  /** Queues `run` for `key`; it is called with the slot (0 … slots-1) it runs on. Over the key's limit → QueueFullError. */
  submit<T>(key: string, run: (slot: number) => Promise<T>): Promise<T> {
    const pending = this.pending(key);
    if (pending >= this.maxPerKey) return Promise.reject(new QueueFullError(key, pending));
    this.pendingByKey.set(key, pending + 1);
    return new Promise<T>((resolve, reject) => {
      const job: Job = { run, resolve: resolve as (value: unknown) => void, reject };
      const jobs = this.waiting.get(key);
      if (jobs) jobs.push(job);
      else this.waiting.set(key, [job]);
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.freeSlots.length > 0) {
      const key = this.nextKey();
      if (key === undefined) return;
      const jobs = this.waiting.get(key) as Job[];
      const job = jobs.shift() as Job;
      if (jobs.length === 0) this.waiting.delete(key);
      this.lastTurn.set(key, ++this.turn);
      const slot = this.freeSlots.pop() as number;
      void this.start(key, slot, job);
    }
  }

  /** Round-robin: of the requesters waiting, the one served least recently (never served first; ties: arrival order). */
  private nextKey(): string | undefined {
    let best: string | undefined;
    let bestTurn = Infinity;
    for (const key of this.waiting.keys()) {
      const turn = this.lastTurn.get(key) ?? 0;
      if (turn < bestTurn) {
        best = key;
        bestTurn = turn;
      }
    }
    return best;
  }

  private async start(key: string, slot: number, job: Job): Promise<void> {
    try {
      job.resolve(await job.run(slot));
    } catch (err) {
      job.reject(err);
    } finally {
      const left = this.pending(key) - 1;
      if (left > 0) this.pendingByKey.set(key, left);
      else {
        this.pendingByKey.delete(key);
        this.lastTurn.delete(key);
      }
      this.freeSlots.push(slot);
      this.dispatch();
    }
  }
}
