import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The agent's sample sequence numbers (`seq`), strictly increasing across restarts so the server can recognise a
 * replayed duplicate by (rig, seq). Numbers are reserved on disk in blocks, so a crash skips numbers but never
 * reuses one. A first start (or a lost state file) begins at the clock in microseconds: that is always above any
 * number an earlier run could have reached, unless it issued more than a million numbers per second.
 */
const BLOCK = 100_000;

export class SeqAllocator {
  private next: number;
  private reserved: number;
  private readonly file: string;

  constructor(dir: string, atLeast = 0, now = Date.now()) {
    this.file = join(dir, 'seq');
    let stored = 0;
    if (existsSync(this.file)) {
      const value = Number(readFileSync(this.file, 'utf8').trim());
      if (Number.isSafeInteger(value) && value >= 0) stored = value;
    }
    this.next = Math.max(stored > 0 ? stored : now * 1000, atLeast);
    this.reserved = this.next;
    this.reserve();
  }

  /** Allocates `count` consecutive numbers and returns the first. */
  take(count = 1): number {
    const first = this.next;
    this.next += count;
    if (this.next > this.reserved) this.reserve();
    return first;
  }

  private reserve(): void {
    this.reserved = this.next + BLOCK;
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, `${this.reserved}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }
}
