import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { FleetModel } from '../../agents/sim/simulator.js';
import type { AsicSample, Sample } from '../../server/contract/index.js';
import { EntryGatherer } from '../../server/store/influx/entry-gatherer.js';
import { encodeSamples } from '../../server/store/influx/schema.js';
import { WriteBuffer, type Entry, type Sink } from '../../server/store/influx/write-buffer.js';

const model = new FleetModel({ sites: 1, rigsPerSite: 12, seed: 5, intervalMs: 1000, faultRate: 0.2, gpuEvery: 4 });
const T0 = 1_760_000_000_000;
const samples = model.samplesAt(model.sites[0]!, 0, T0).map((s, i) => ({ ...s, ts: T0 + i * 7 }) as Sample);
/** What encoding these samples alone, one message after another, gives (the ungathered form). */
const encoded = (of: readonly Sample[]): string => of.map((s) => encodeSamples([s]).body.toString('utf8')).join('');

/** A sink whose writes wait until the test settles them. */
class HeldSink implements Sink {
  readonly bodies: string[] = [];
  private readonly waiting: (() => void)[] = [];
  write(body: Buffer): Promise<void> {
    this.bodies.push(body.toString('utf8'));
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  settleAll(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

const recorder = (): { entries: Entry[]; add: (e: Entry) => void } => {
  const entries: Entry[] = [];
  return { entries, add: (e) => entries.push(e) };
};

describe('entry gatherer', () => {
  it('gathers the messages of one event-loop turn into one entry, and acknowledges each in order once it is written', async () => {
    const sink = new HeldSink();
    const buffer = new WriteBuffer(sink, { batchPoints: 10_000, flushIntervalMs: 1, maxBuffered: 1000, concurrency: 1, retry: { initialMs: 10, maxMs: 10 } });
    const gatherer = new EntryGatherer((e) => buffer.add(e), (n) => buffer.hasRoomFor(n), 10_000);
    const acked: number[] = [];
    const messages = [samples.slice(0, 1), samples.slice(1, 4), samples.slice(4, 5)];
    messages.forEach((m, i) => gatherer.append(m, undefined, () => acked.push(i)));
    expect(gatherer.pending).toBe(5);
    expect(buffer.stats().buffered).toBe(0); // still open: it goes when the event loop turns
    await nextTurn();
    expect(gatherer.pending).toBe(0);
    expect(buffer.stats().buffered).toBe(5);
    await buffer.drain(0); // sends it; the write is held by the sink
    expect(sink.bodies.map((b) => b.trimEnd())).toEqual([encoded(samples.slice(0, 5)).trimEnd()]);
    expect(acked).toEqual([]); // nothing acknowledged before InfluxDB answers
    sink.settleAll();
    await buffer.drain(1000);
    expect(acked).toEqual([0, 1, 2]);
    expect(buffer.stats()).toMatchObject({ written: 5, buffered: 0, dropped: 0 });
  });

  it('keeps the oldest and newest sample time and what the rig points told the rollups', async () => {
    const { entries, add } = recorder();
    const gatherer = new EntryGatherer(add, () => true, 10_000);
    const told: number[] = [];
    gatherer.append([samples[3]!, samples[1]!], (_head, ts) => told.push(ts), undefined);
    gatherer.append([samples[6]!], (_head, ts) => told.push(ts), undefined);
    gatherer.flush();
    expect(told).toEqual([samples[3]!.ts, samples[1]!.ts, samples[6]!.ts]);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ samples: 3, ts: samples[1]!.ts, newestTs: samples[6]!.ts, live: true, done: undefined });
    expect(entries[0]!.points).toBe(encodeSamples([samples[3]!, samples[1]!, samples[6]!]).points);
  });

  it('closes a piece once it holds maxPoints points, at once', () => {
    const { entries, add } = recorder();
    const onePoints = encodeSamples([samples[0]!]).points;
    const gatherer = new EntryGatherer(add, () => true, onePoints + 1);
    gatherer.append([samples[0]!], undefined, undefined);
    expect(entries).toHaveLength(0);
    gatherer.append([samples[1]!], undefined, undefined);
    expect(entries).toHaveLength(1); // at maxPoints: handed over without waiting for the turn
    expect(entries[0]!.lines.toString()).toBe(encoded(samples.slice(0, 2)));
    gatherer.append([samples[2]!], undefined, undefined);
    gatherer.flush();
    expect(entries.map((e) => e.samples)).toEqual([2, 1]);
  });

  it('drops exactly the messages a full buffer has no room for, each acknowledged at once, as without gathering', async () => {
    const sink = new HeldSink();
    const buffer = new WriteBuffer(sink, { batchPoints: 10_000, flushIntervalMs: 1, maxBuffered: 5, concurrency: 1, retry: { initialMs: 10, maxMs: 10 } });
    const gatherer = new EntryGatherer((e) => buffer.add(e), (n) => buffer.hasRoomFor(n), 10_000);
    const acked: number[] = [];
    for (let i = 0; i < 4; i++) gatherer.append(samples.slice(2 * i, 2 * i + 2), undefined, () => acked.push(i));
    // Two messages of two fit in 5 places; the third and fourth do not, and are dropped (and acknowledged) at once.
    expect(acked).toEqual([2, 3]);
    expect(buffer.stats()).toMatchObject({ buffered: 4, dropped: 4 });
    await nextTurn();
    expect(buffer.stats()).toMatchObject({ buffered: 4, dropped: 4 });
    // A message larger than the whole buffer is still taken by an empty one, alone.
    const drained = buffer.drain(1000); // sends what is held, now
    sink.settleAll();
    expect(await drained).toBe(true);
    expect(buffer.stats()).toMatchObject({ buffered: 0, written: 4 });
    gatherer.append(samples.slice(0, 6), undefined, () => acked.push(6));
    expect(buffer.stats()).toMatchObject({ buffered: 6, dropped: 4 });
  });

  it('leaves what it gathered intact when encoding a message throws', () => {
    const { entries, add } = recorder();
    const gatherer = new EntryGatherer(add, () => true, 10_000);
    const asic = samples.find((s): s is AsicSample => s.kind === 'asic')!;
    gatherer.append([samples[0]!], undefined, undefined);
    // Boards the contract would never let through: the encoder throws half-way through the rig's points.
    const broken = { ...asic, boards: [{ index: 0 }, null] } as unknown as Sample;
    expect(() => gatherer.append([samples[1]!, broken], undefined, undefined)).toThrow();
    gatherer.append([samples[2]!], undefined, undefined);
    gatherer.flush();
    expect(entries).toHaveLength(1);
    expect(entries[0]!.lines.toString()).toBe(encoded([samples[0]!, samples[2]!]));
    expect(entries[0]).toMatchObject({ samples: 2, points: encodeSamples([samples[0]!, samples[2]!]).points });
  });
});
