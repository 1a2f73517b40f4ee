import { parentPort } from 'node:worker_threads';
import { PlanInputError, runPlan } from './plan.js';

/** Worker-thread side of PlannerRunner: plans one request at a time so the server's event loop never waits on HiGHS. */
export interface PlanRequest {
  id: number;
  input: unknown;
}

export type PlanReply = { id: number; result: unknown } | { id: number; problems: string[] } | { id: number; error: string };

const port = parentPort;
if (!port) throw new Error('server/planner/worker.ts runs as a worker thread (see PlannerRunner)');
port.on('message', async ({ id, input }: PlanRequest) => {
  try {
    port.postMessage({ id, result: await runPlan(input) } satisfies PlanReply);
  } catch (err) {
    port.postMessage((err instanceof PlanInputError ? { id, problems: err.problems } : { id, error: (err as Error).message }) satisfies PlanReply);
  }
});
