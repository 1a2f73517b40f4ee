import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sample } from '../../../server/contract/index.js';
import { SeqAllocator } from '../../../agents/spool/seq.js';
import { Spool } from '../../../agents/spool/spool.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'rigline-spool-test-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const samples = (first: number, count: number, errors: string[] = []): Sample[] =>
  Array.from({ length: count }, (_, i) => ({
    schema: 1,
    kind: 'gpu',
    site: 'site-a',
    rig: `gpu-${i}`,
    ts: 1_700_000_000_000 + first + i,
    interval_s: 10,
    seq: first + i,
    power_w: 300,
    power_source: 'measured',
    errors,
    host_model: null,
    driver_version: '570.133.20',
    gpus: [],
    tokens_per_s: null,
  }));

describe('spool', () => {
  it('keeps records in order across a reopen until they are acknowledged', async () => {
    const dir = tempDir();
    const spool = await Spool.open({ dir, maxBytes: 1024 * 1024 });
    await spool.append(10, samples(10, 2));
    await spool.append(12, samples(12, 3));
    await spool.append(15, samples(15, 1));
    await spool.ack(12);
    await spool.close();

    const reopened = await Spool.open({ dir, maxBytes: 1024 * 1024 });
    // Acknowledgements are not persisted: a partly acknowledged segment comes back whole (a duplicate, never a loss).
    expect(reopened.pending()).toEqual([10, 12, 15]);
    expect((await reopened.read(15))?.map((s) => s.seq)).toEqual([15]);
    expect(reopened.highestSeq).toBe(16);
    for (const id of reopened.pending()) await reopened.ack(id);
    expect(reopened.stats()).toMatchObject({ records: 0, samples: 0, bytes: 0 });
    expect(readdirSync(dir).filter((f) => f.startsWith('seg-'))).toEqual([]);
  });

  it('deletes a segment once every record in it is acknowledged', async () => {
    const dir = tempDir();
    const spool = await Spool.open({ dir, maxBytes: 64 * 1024 * 1024, segmentBytes: 1 });
    await spool.append(1, samples(1, 1));
    await spool.append(2, samples(2, 1));
    expect(readdirSync(dir).filter((f) => f.startsWith('seg-'))).toHaveLength(2);
    await spool.ack(1);
    expect(readdirSync(dir).filter((f) => f.startsWith('seg-'))).toEqual(['seg-0000000000000002.jsonl']);
    await spool.close();
  });

  it('cuts a torn last line left by a crash and keeps the records before it', async () => {
    const dir = tempDir();
    const spool = await Spool.open({ dir, maxBytes: 1024 * 1024 });
    await spool.append(1, samples(1, 2));
    await spool.close();
    const [segment] = readdirSync(dir).filter((f) => f.startsWith('seg-'));
    appendFileSync(join(dir, segment as string), '{"id":3,"samples":[{"schema":1,"kin');
    const reopened = await Spool.open({ dir, maxBytes: 1024 * 1024 });
    expect(reopened.pending()).toEqual([1]);
    await reopened.append(3, samples(3, 1));
    await reopened.close();
    expect((await Spool.open({ dir, maxBytes: 1024 * 1024 })).pending()).toEqual([1, 3]);
  });

  it('drops the oldest samples first when full, and counts them', async () => {
    const dir = tempDir();
    // Sized for the largest record (more digits in ids and seqs): three fit, a fourth does not.
    const oneRecord = Buffer.byteLength(JSON.stringify({ id: 51, samples: samples(51, 10) })) + 1;
    const spool = await Spool.open({ dir, maxBytes: oneRecord * 3 + 10, segmentBytes: 1 });
    for (let i = 0; i < 6; i++) await spool.append(1 + i * 10, samples(1 + i * 10, 10));
    expect(spool.pending()).toEqual([31, 41, 51]);
    expect(spool.stats()).toMatchObject({ records: 3, samples: 30, droppedRecords: 3, droppedSamples: 30 });
    await spool.close();
  });
});

describe('sequence numbers', () => {
  it('start from the clock, never repeat across restarts, and continue above what the spool holds', () => {
    const dir = tempDir();
    const first = new SeqAllocator(dir, 0, 1_700_000_000_000);
    expect(first.take()).toBe(1_700_000_000_000_000);
    const a = first.take(5);
    const restarted = new SeqAllocator(dir, 0, 1_600_000_000_000); // even with a clock set back
    expect(restarted.take()).toBeGreaterThan(a + 4);
    expect(new SeqAllocator(tempDir(), 42, 0).take()).toBe(42);
  });
});

describe('spool replay order', () => {
  it('hands out the oldest record not already in flight', async () => {
    const dir = tempDir();
    const spool = await Spool.open({ dir, maxBytes: 1024 * 1024, segmentBytes: 1 });
    for (const id of [1, 2, 3, 4]) await spool.append(id, samples(id, 1));
    expect(spool.nextPending(new Set())).toBe(1);
    expect(spool.nextPending(new Set([1, 2]))).toBe(3);
    await spool.ack(1);
    await spool.ack(3);
    expect(spool.nextPending(new Set([2]))).toBe(4);
    expect(spool.stats()).toMatchObject({ records: 2, samples: 2 });
    await spool.ack(3); // a late second acknowledgement changes nothing
    expect(spool.stats()).toMatchObject({ records: 2, samples: 2 });
    await spool.close();
  });
});
