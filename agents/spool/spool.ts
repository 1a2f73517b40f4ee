import { mkdir, open, readdir, readFile, stat, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sample } from '../../server/contract/index.js';

/**
 * Store-and-forward spool: an on-disk, size-bounded queue of sample records that survives agent restarts.
 *
 * Layout: segment files `seg-<first record id, 16 digits>.jsonl` in `dir`, one JSON record per line
 * (`{"id":N,"samples":[...]}`), appended and fdatasync'd before `append` resolves. A record stays on disk until
 * `ack(id)` says the broker acknowledged it; a segment file is deleted once all its records are acknowledged. So a
 * crash loses nothing that `append` returned, and at worst re-sends acknowledged records of one partly
 * acknowledged segment (the server drops those by (rig, seq)). A torn last line from a crash mid-write is cut off
 * on open. Over `maxBytes`, whole segments are dropped oldest first and the dropped samples are counted.
 */
export interface SpoolOptions {
  dir: string;
  maxBytes: number;
  /** A segment is closed for appends past this size; smaller segments mean finer-grained deletion. */
  segmentBytes?: number;
}

export interface SpoolStats {
  records: number;
  samples: number;
  bytes: number;
  droppedRecords: number;
  droppedSamples: number;
}

interface RecordIndex {
  offset: number;
  length: number;
  samples: number;
}

interface Segment {
  file: string;
  records: Map<number, RecordIndex>;
  acked: Set<number>;
  bytes: number;
}

const SEGMENT_NAME = /^seg-(\d{16})\.jsonl$/;

export class Spool {
  private readonly segments: Segment[] = [];
  private active: { segment: Segment; handle: FileHandle } | null = null;
  private droppedRecords = 0;
  private droppedSamples = 0;
  /** Kept up to date on every change, so stats() is O(1) however large the backlog. */
  private pendingRecords = 0;
  private pendingSamples = 0;
  private totalBytes = 0;
  /** Serialises file operations: appends, acks and drops never interleave. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly options: Required<SpoolOptions>) {}

  static async open(options: SpoolOptions): Promise<Spool> {
    const spool = new Spool({ segmentBytes: Math.max(64 * 1024, Math.min(4 * 1024 * 1024, Math.floor(options.maxBytes / 16))), ...options });
    await mkdir(options.dir, { recursive: true });
    const names = (await readdir(options.dir)).filter((n) => SEGMENT_NAME.test(n)).sort();
    for (const name of names) {
      const segment = await loadSegment(join(options.dir, name));
      if (segment.records.size === 0) {
        await unlink(segment.file).catch(() => undefined);
        continue;
      }
      spool.segments.push(segment);
      spool.totalBytes += segment.bytes;
      spool.pendingRecords += segment.records.size;
      for (const rec of segment.records.values()) spool.pendingSamples += rec.samples;
    }
    return spool;
  }

  /** Highest record id on disk plus the samples it holds: where sequence numbers must continue from. */
  get highestSeq(): number {
    let max = 0;
    for (const segment of this.segments) for (const [id, rec] of segment.records) max = Math.max(max, id + rec.samples);
    return max;
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Appends one record and makes it durable. `id` must increase (the seq of the record's first sample). */
  append(id: number, samples: Sample[]): Promise<void> {
    return this.serial(async () => {
      const line = Buffer.from(`${JSON.stringify({ id, samples })}\n`);
      if (line.length > this.options.maxBytes) {
        this.countDropped(1, samples.length);
        return;
      }
      await this.makeRoom(line.length);
      if (!this.active || this.active.segment.bytes >= this.options.segmentBytes) await this.roll(id);
      const active = this.active as { segment: Segment; handle: FileHandle };
      const offset = active.segment.bytes;
      await active.handle.write(line, 0, line.length, offset);
      await active.handle.datasync();
      active.segment.records.set(id, { offset, length: line.length, samples: samples.length });
      active.segment.bytes += line.length;
      this.totalBytes += line.length;
      this.pendingRecords++;
      this.pendingSamples += samples.length;
    });
  }

  /** Ids of records not yet acknowledged, oldest first. */
  pending(): number[] {
    const ids: number[] = [];
    for (const segment of this.segments) for (const id of segment.records.keys()) if (!segment.acked.has(id)) ids.push(id);
    return ids;
  }

  /** The oldest unacknowledged record not in `skip`; cheap however large the backlog. */
  nextPending(skip: ReadonlySet<number>): number | undefined {
    for (const segment of this.segments) {
      if (segment.acked.size === segment.records.size) continue;
      for (const id of segment.records.keys()) if (!segment.acked.has(id) && !skip.has(id)) return id;
    }
    return undefined;
  }

  /** Reads a record back; null when it was dropped or acknowledged meanwhile. */
  read(id: number): Promise<Sample[] | null> {
    return this.serial(async () => {
      const segment = this.segments.find((s) => s.records.has(id));
      const rec = segment?.records.get(id);
      if (!segment || !rec || segment.acked.has(id)) return null;
      const handle = this.active?.segment === segment ? this.active.handle : await open(segment.file, 'r');
      try {
        const buffer = Buffer.alloc(rec.length);
        await handle.read(buffer, 0, rec.length, rec.offset);
        return (JSON.parse(buffer.toString('utf8')) as { samples: Sample[] }).samples;
      } finally {
        if (handle !== this.active?.handle) await handle.close();
      }
    });
  }

  /** The broker acknowledged the record: forget it, and delete its segment once every record in it is acknowledged. */
  ack(id: number): Promise<void> {
    return this.serial(async () => {
      const index = this.segments.findIndex((s) => s.records.has(id));
      const segment = this.segments[index];
      if (!segment || segment.acked.has(id)) return;
      segment.acked.add(id);
      this.pendingRecords--;
      this.pendingSamples -= (segment.records.get(id) as RecordIndex).samples;
      if (segment.acked.size < segment.records.size) return;
      if (this.active?.segment === segment) {
        await this.active.handle.close();
        this.active = null;
      }
      this.segments.splice(index, 1);
      this.totalBytes -= segment.bytes;
      await unlink(segment.file).catch(() => undefined);
    });
  }

  stats(): SpoolStats {
    return {
      records: this.pendingRecords,
      samples: this.pendingSamples,
      bytes: this.totalBytes,
      droppedRecords: this.droppedRecords,
      droppedSamples: this.droppedSamples,
    };
  }

  async close(): Promise<void> {
    await this.serial(async () => {
      await this.active?.handle.close();
      this.active = null;
    });
  }

  private async roll(firstId: number): Promise<void> {
    await this.active?.handle.close();
    const file = join(this.options.dir, `seg-${String(firstId).padStart(16, '0')}.jsonl`);
    const handle = await open(file, 'a+');
    await syncDir(this.options.dir);
    const segment: Segment = { file, records: new Map(), acked: new Set(), bytes: 0 };
    this.segments.push(segment);
    this.active = { segment, handle };
  }

  /** Drops the oldest segments until `incoming` more bytes fit under the limit. */
  private async makeRoom(incoming: number): Promise<void> {
    while (this.segments.length > 0 && this.totalBytes + incoming > this.options.maxBytes) {
      const oldest = this.segments[0] as Segment;
      if (this.active?.segment === oldest) {
        await this.active.handle.close();
        this.active = null;
      }
      this.segments.shift();
      this.totalBytes -= oldest.bytes;
      let records = 0;
      let samples = 0;
      for (const [id, rec] of oldest.records) {
        if (oldest.acked.has(id)) continue;
        records++;
        samples += rec.samples;
      }
      this.pendingRecords -= records;
      this.pendingSamples -= samples;
      this.countDropped(records, samples);
      await unlink(oldest.file).catch(() => undefined);
    }
  }

  private countDropped(records: number, samples: number): void {
    this.droppedRecords += records;
    this.droppedSamples += samples;
  }
}

async function loadSegment(file: string): Promise<Segment> {
  const content = await readFile(file);
  const records = new Map<number, RecordIndex>();
  let offset = 0;
  while (offset < content.length) {
    const end = content.indexOf(0x0a, offset);
    if (end < 0) break; // torn last line: no newline, never acknowledged as durable
    try {
      const parsed = JSON.parse(content.subarray(offset, end).toString('utf8')) as { id?: unknown; samples?: unknown };
      if (typeof parsed.id !== 'number' || !Array.isArray(parsed.samples)) throw new Error('not a record');
      records.set(parsed.id, { offset, length: end + 1 - offset, samples: parsed.samples.length });
    } catch {
      break; // a corrupt line ends what can be trusted in this segment
    }
    offset = end + 1;
  }
  if (offset < (await stat(file)).size) await truncate(file, offset);
  return { file, records, acked: new Set(), bytes: offset };
}

/** fsync of the directory makes a new segment's directory entry durable (POSIX fsync(2) on Linux). */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => null);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    /* some platforms cannot fsync a directory; the file contents are still synced */
  } finally {
    await handle.close();
  }
}
