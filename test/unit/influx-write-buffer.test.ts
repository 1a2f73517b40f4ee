import { describe, expect, it } from 'vitest';
import { batchBody, WriteBuffer, WriteError, type Entry, type Sink } from '../../server/store/influx/write-buffer.js';
import { waitFor } from '../helpers/server.js';

/** A sink that records batches and fails with the scripted errors first. */
class ScriptedSink implements Sink {
  readonly bodies: string[] = [];
  attempts = 0;
  constructor(private readonly failures: WriteError[] = []) {}
  async write(body: Buffer): Promise<void> {
    this.attempts++;
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.bodies.push(body.toString('utf8'));
  }
}

const entry = (i: number, points = 2): Entry => ({ lines: `m v=${i} ${i}`, points, samples: 1, ts: Date.now(), live: true });
const options = { batchPoints: 10, flushIntervalMs: 20, maxBuffered: 100, concurrency: 1, retry: { initialMs: 10, maxMs: 40 } };

describe('write buffer', () => {
  it('sends a batch when enough points wait, and the rest after the flush interval', async () => {
    const sink = new ScriptedSink();
    const buffer = new WriteBuffer(sink, options);
    for (let i = 0; i < 7; i++) buffer.add(entry(i));
    expect(sink.bodies).toHaveLength(1);
    expect(sink.bodies[0]?.split('\n')).toHaveLength(5);
    await buffer.drain(1000);
    expect(sink.bodies).toHaveLength(2);
    expect(buffer.stats()).toMatchObject({ written: 7, points_written: 14, buffered: 0, dropped: 0 });
  });

  it('sends the remainder behind full batches within the flush interval, with nothing more added', async () => {
    const waiting: (() => void)[] = [];
    const bodies: string[] = [];
    const sink: Sink = {
      write: (body) => {
        bodies.push(body.toString('utf8'));
        return new Promise<void>((resolve) => waiting.push(resolve));
      },
    };
    const buffer = new WriteBuffer(sink, { ...options, concurrency: 1 });
    buffer.add(entry(1, 10)); // a full batch: sent at once
    buffer.add(entry(2, 10)); // another, queued behind the write in flight
    buffer.add(entry(3, 2)); // a remainder, queued while full batches wait
    expect(bodies).toHaveLength(1);
    waiting.shift()?.();
    await waitFor(() => (bodies.length === 2 ? true : undefined), 1000, 'second batch');
    waiting.shift()?.();
    await waitFor(() => (bodies.length === 3 ? true : undefined), 2000, 'the remainder, by the flush timer');
    expect(bodies[2]).toBe('m v=3 3');
    waiting.shift()?.();
    expect(await buffer.drain(1000)).toBe(true);
    expect(buffer.stats()).toMatchObject({ written: 3, buffered: 0 });
  });

  it('counts a batch whose write is in flight at close() once that write settles, whatever the timing', async () => {
    let fail: ((err: Error) => void) | null = null;
    const sink: Sink = { write: () => new Promise<void>((_resolve, reject) => (fail = reject)) };
    const buffer = new WriteBuffer(sink, { ...options, flushIntervalMs: 1 });
    buffer.add(entry(1));
    await waitFor(() => (fail ? true : undefined), 1000, 'in flight');
    expect(buffer.close()).toBe(0); // nothing queued: the batch is in flight
    const settled = buffer.settled();
    (fail as unknown as (err: Error) => void)(new WriteError('404', true));
    await settled;
    expect(buffer.stats()).toMatchObject({ buffered: 0, dropped: 1, written: 0 });
  });

  it('calls each entry\'s done once written, or refused, but not when closed with it held', async () => {
    const sink = new ScriptedSink([new WriteError('bad', false)]);
    const buffer = new WriteBuffer(sink, { ...options, batchPoints: 2 });
    const done: number[] = [];
    buffer.add({ ...entry(1), done: () => done.push(1) });
    buffer.add({ ...entry(2), done: () => done.push(2) });
    await buffer.drain(1000);
    expect(done).toEqual([1, 2]);
    buffer.add({ ...entry(3), done: () => done.push(3) });
    buffer.close();
    expect(done).toEqual([1, 2]);
  });

  it('releases each entry exactly once, only after its request settled: written, refused, dropped, closed', async () => {
    const releases = new Map<number, number>();
    const tracked = (i: number): Entry => ({ ...entry(i), release: () => releases.set(i, (releases.get(i) ?? 0) + 1) });
    // 1 and 2: a retry, then written. 3: refused. 4: no room. 5: queued at close. 6: in flight at close.
    let inFlight: { resolve: () => void; reject: (err: Error) => void } | null = null;
    const script: (WriteError | 'hold' | null)[] = [new WriteError('down', true), null, new WriteError('bad', false), 'hold'];
    const sink: Sink = {
      write: () => {
        const step = script.shift() ?? null;
        if (step === 'hold') return new Promise<void>((resolve, reject) => (inFlight = { resolve, reject }));
        return step ? Promise.reject(step) : Promise.resolve();
      },
    };
    const buffer = new WriteBuffer(sink, { ...options, batchPoints: 4, maxBuffered: 2 });
    buffer.add(tracked(1));
    buffer.add(tracked(2));
    await Promise.resolve();
    expect(releases.size).toBe(0); // the first attempt failed: the batch waits to be retried, its bytes kept
    await buffer.drain(1000);
    expect([...releases]).toEqual([[1, 1], [2, 1]]);
    buffer.add(tracked(3));
    await buffer.drain(1000);
    expect(releases.get(3)).toBe(1);
    buffer.add({ ...tracked(6), points: 4 });
    await waitFor(() => (inFlight ? true : undefined), 1000, 'in flight');
    buffer.add(tracked(5));
    buffer.add(tracked(4)); // over maxBuffered (6 in flight, 5 queued): dropped at once
    expect(releases.get(4)).toBe(1);
    expect(releases.get(6)).toBeUndefined(); // its request has not settled
    buffer.close();
    expect(releases.get(5)).toBe(1);
    expect(releases.get(6)).toBeUndefined();
    const settled = buffer.settled();
    (inFlight as unknown as { resolve: () => void }).resolve();
    await settled;
    expect([...releases.entries()].sort()).toEqual([[1, 1], [2, 1], [3, 1], [4, 1], [5, 1], [6, 1]]);
  });

  it('retries retryable failures with backoff and loses nothing', async () => {
    const sink = new ScriptedSink([new WriteError('down', true), new WriteError('down', true)]);
    const buffer = new WriteBuffer(sink, options);
    for (let i = 0; i < 3; i++) buffer.add(entry(i));
    await waitFor(() => (buffer.stats().written === 3 ? true : undefined), 2000, 'written');
    expect(sink.attempts).toBe(3);
    expect(buffer.stats()).toMatchObject({ retries: 2, dropped: 0, last_error: 'down' });
  });

  it('counts what does not fit, and what the database refuses, never retrying a refusal', async () => {
    const sink = new ScriptedSink([new WriteError('bad', false, 400)]);
    const buffer = new WriteBuffer(sink, { ...options, maxBuffered: 3, batchPoints: 1000 });
    for (let i = 0; i < 5; i++) buffer.add(entry(i));
    buffer.add({ lines: 'site v=1 1', points: 1, samples: 0, ts: 1, live: false });
    expect(buffer.stats()).toMatchObject({ buffered: 3, dropped: 2, dropped_site_rollups: 1, buffered_peak: 3 });
    await buffer.drain(1000);
    expect(buffer.stats()).toMatchObject({ buffered: 0, rejected: 3, written: 0 });
    expect(sink.attempts).toBe(1);
  });

  it('counts what is still held at close as dropped', async () => {
    const sink = new ScriptedSink(Array.from({ length: 100 }, () => new WriteError('down', true)));
    const buffer = new WriteBuffer(sink, options);
    for (let i = 0; i < 4; i++) buffer.add(entry(i));
    expect(await buffer.drain(100)).toBe(false);
    expect(buffer.close()).toBe(4);
    expect(buffer.stats()).toMatchObject({ buffered: 0, dropped: 4, written: 0 });
    buffer.add(entry(9));
    expect(buffer.stats().dropped).toBe(5);
  });
});

describe('batch body', () => {
  it('sends adjacent encoded messages as one slice, copies only where runs meet, and encodes rollup strings', () => {
    const slab = Buffer.from('a v=1 1\nb v=2 2\nc v=3 3\n');
    const other = Buffer.from('d v=4 4\n');
    const at = (from: number, to: number): Entry => ({ lines: slab.subarray(from, to), points: 1, samples: 1, ts: 0, live: true });
    const one = batchBody([at(0, 8), at(8, 16)]);
    expect(one.toString()).toBe('a v=1 1\nb v=2 2');
    expect(one.buffer).toBe(slab.buffer); // no copy
    const mixed = batchBody([at(0, 8), { lines: 'site v=9 9', points: 1, samples: 0, ts: 0, live: false }, at(16, 24), { lines: other, points: 1, samples: 1, ts: 0, live: true }]);
    expect(mixed.toString()).toBe('a v=1 1\nsite v=9 9\nc v=3 3\nd v=4 4');
    expect(batchBody([{ lines: 'only', points: 1, samples: 0, ts: 0, live: false }]).toString()).toBe('only');
  });
});

describe('write buffer barrier (added / heldFrom)', () => {
  it('tells when everything queued before a moment has left, while later entries are still held', async () => {
    const holds: { resolve: () => void; reject: (err: Error) => void }[] = [];
    const sink: Sink = { write: () => new Promise<void>((resolve, reject) => holds.push({ resolve, reject })) };
    const buffer = new WriteBuffer(sink, { ...options, batchPoints: 2, concurrency: 2 });
    buffer.add(entry(1)); // batch A, in flight
    const barrier = buffer.added;
    buffer.add(entry(2)); // batch B, in flight
    buffer.add(entry(3)); // queued
    expect(barrier).toBe(1);
    expect(buffer.heldFrom()).toBe(0);
    holds[1]!.resolve(); // B is written before A: the barrier on A must still hold
    await waitFor(() => (holds.length === 3 ? true : undefined), 1000, 'the queued entry sent');
    expect(buffer.heldFrom()).toBe(0);
    holds[0]!.reject(new WriteError('down', true)); // A waits for a retry: still held
    await waitFor(() => (buffer.stats().retries === 1 ? true : undefined), 1000, 'a retry');
    expect(buffer.heldFrom()).toBeLessThan(barrier);
    await waitFor(() => (holds.length === 4 ? true : undefined), 1000, 'A retried');
    holds[3]!.resolve();
    await waitFor(() => (buffer.heldFrom() >= barrier ? true : undefined), 1000, 'A written');
    expect(buffer.heldFrom()).toBe(2); // entry 3 (sequence 2) is still in flight
    holds[2]!.resolve();
    await buffer.drain(1000);
    expect(buffer.heldFrom()).toBe(buffer.added);
  });

  it('does not count a dropped entry as queued', () => {
    const buffer = new WriteBuffer({ write: () => new Promise<void>(() => undefined) }, { ...options, maxBuffered: 1 });
    buffer.add(entry(1));
    buffer.add(entry(2)); // no room: dropped
    expect(buffer.added).toBe(1);
    expect(buffer.stats().dropped).toBe(1);
  });
});
