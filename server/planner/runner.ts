import { Worker } from 'node:worker_threads';
import type { PlanResult } from './contract.js';
import { PlanInputError } from './evaluate.js';
import type { PlanReply } from './worker.js';

interface Pending {
  worker: Worker;
  resolve: (result: PlanResult) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class PlannerTimeoutError extends Error {}

/**
 * Runs plans on one worker thread, in order: a plan with scenarios and a tornado solves dozens of LPs/MILPs, which
 * would otherwise block telemetry ingest and socket pushes. A request past `timeoutMs` terminates the worker (a
 * fresh one starts with the next request); the worker is unref'd so it never keeps the process alive.
 */
export class PlannerRunner {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly timeoutMs = 120_000) {}

  private spawn(): Worker {
    const worker = new Worker(new URL('./bin/plan-worker.js', import.meta.url));
    worker.unref();
    worker.on('message', (reply: PlanReply) => {
      const pending = this.pending.get(reply.id);
      if (!pending) return;
      this.pending.delete(reply.id);
      clearTimeout(pending.timer);
      if ('result' in reply) pending.resolve(reply.result as PlanResult);
      else if ('problems' in reply) pending.reject(new PlanInputError(reply.problems));
      else pending.reject(new Error(reply.error));
    });
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const [id, pending] of this.pending) {
        if (pending.worker !== worker) continue; // requests already on a fresh worker live on
        clearTimeout(pending.timer);
        pending.reject(err);
        this.pending.delete(id);
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`planner worker exited with code ${code}`)));
    return worker;
  }

  run(input: unknown, timeoutMs = this.timeoutMs): Promise<PlanResult> {
    this.worker ??= this.spawn();
    const worker = this.worker;
    const id = this.nextId++;
    return new Promise<PlanResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new PlannerTimeoutError(`plan took longer than ${timeoutMs / 1000} s`));
        if (this.worker === worker) this.worker = null;
        void worker.terminate();
      }, timeoutMs);
      timer.unref();
      this.pending.set(id, { worker, resolve, reject, timer });
      worker.postMessage({ id, input });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }
}
