import type { IngestCounters } from '../contract/index.js';
import type { InvalidReason } from './decode.js';

/** Ingest counters: messages received, samples stored, messages dropped per reason. */
export class Counters {
  received = 0;
  stored = 0;
  private readonly invalid = new Map<string, number>();

  reject(reason: InvalidReason | string, count = 1): void {
    this.invalid.set(reason, (this.invalid.get(reason) ?? 0) + count);
  }

  invalidCount(reason: string): number {
    return this.invalid.get(reason) ?? 0;
  }

  snapshot(): IngestCounters {
    return { received: this.received, stored: this.stored, invalid: Object.fromEntries(this.invalid) };
  }
}
