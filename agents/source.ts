import type { Sample } from '../server/contract/index.js';

/**
 * One thing an agent polls: a miner's TCP API, the local GPUs, a DCGM exporter. Each source folder has a pure
 * parser and a thin I/O part that implements this. `poll` never hangs (every call has a timeout) and never throws:
 * an unreachable device gives no sample and a logged reason.
 */
export interface PollSource {
  /** Rig id the samples are published under. */
  readonly rig: string;
  readonly description: string;
  poll(): Promise<PollResult>;
  close?(): Promise<void>;
}

export type PollResult = { ok: true; samples: Sample[] } | { ok: false; error: string };
