import { describe, expect, it } from 'vitest';
import { FleetModel } from '../../agents/sim/simulator.js';
import { PointBuilder, seriesHead } from '../../server/store/influx/line-protocol.js';
import { LineWriter } from '../../server/store/influx/line-writer.js';
import { encodeSample, encodeSamples } from '../../server/store/influx/schema.js';

/** Values where a hand-written number or text encoder would go wrong first. */
const NUMBERS = [0, -0, 1, -1, 9, 10, 99, 100, 123456789, -987654321, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 1e21, 1.5e-7, 0.1 + 0.2, 95.123456789, -3.25, Number.MAX_VALUE, Number.MIN_VALUE, NaN, Infinity, -Infinity, null];
const TEXTS = ['', 'plain', 'with "quotes"', 'back\\slash', 'line\nbreak', 'ünïcödé', '挖矿', 'emoji 😀 pair', '\u0000\u007f', null];

describe('line writer', () => {
  it('writes byte for byte what PointBuilder writes, for every value form', () => {
    const head = seriesHead('m', [['rig', 'r 1'], ['model', 'S19 ünï']]);
    const writer = new LineWriter(16); // tiny, so growing is exercised too
    const expected: string[] = [];
    NUMBERS.forEach((n, i) => {
      const text = TEXTS[i % TEXTS.length] ?? null;
      const ts = 1_700_000_000_000 + i;
      const line = new PointBuilder(head).float('f', n).int('i', n).str('s', text).bool('b', i % 3 === 0 ? null : i % 2 === 0).line(ts);
      writer.point(head).float('f', n).int('i', n).str('s', text).bool('b', i % 3 === 0 ? null : i % 2 === 0).end(ts);
      if (line !== null) expected.push(line);
    });
    const { body, points } = writer.take();
    expect(body.toString('utf8')).toBe(expected.map((line) => `${line}\n`).join(''));
    expect(points).toBe(expected.length);
  });

  it('takes back a point without fields, as line protocol requires', () => {
    const writer = new LineWriter();
    writer.point('a').float('x', 1).end(1);
    writer.point('b').float('x', null).str('y', undefined).end(2);
    writer.point('c').int('z', 2).end(3);
    expect(writer.take()).toMatchObject({ body: Buffer.from('a x=1 1\nc z=2i 3\n'), points: 2 });
    expect(writer.take().points).toBe(0);
  });

  it('reuses a slab only once the writer has left it and every piece cut from it is released', () => {
    // Room for a bit more than the 64 KiB a slab must keep free to be written on: each piece below fills it enough
    // that the writer moves to the next slab when the piece is taken.
    const writer = new LineWriter(64 * 1024 + 256);
    const fill = (tag: string): { body: Buffer; release: () => void } => {
      for (let i = 0; i < 1000; i++) writer.point(tag).int('i', i).end(1);
      return writer.take();
    };
    const same = (a: Buffer, b: Buffer): boolean => a.buffer === b.buffer;
    const first = fill('a');
    const firstText = first.body.toString();
    const second = fill('b');
    const third = fill('c');
    expect(same(second.body, first.body) || same(third.body, first.body) || same(third.body, second.body)).toBe(false);
    expect(writer.pooledSlabs).toBe(0);
    expect(first.body.toString()).toBe(firstText);
    first.release();
    first.release(); // a second call changes nothing
    expect(writer.pooledSlabs).toBe(1);
    const fourth = fill('d'); // written into the slab started when the third was taken
    expect(same(fourth.body, first.body)).toBe(false);
    const fifth = fill('e'); // the first slab, reused only now
    expect(same(fifth.body, first.body)).toBe(true);
    expect(writer.pooledSlabs).toBe(0);
    // Pieces still held read as they were written.
    expect(second.body.toString().startsWith('b i=0i 1\n')).toBe(true);
    expect(fourth.body.toString().startsWith('d i=0i 1\n')).toBe(true);
    second.release();
    expect(writer.pooledSlabs).toBe(1);
  });

  it('keeps a message that outgrows its slab whole, in a bigger one', () => {
    const writer = new LineWriter(64 * 1024 + 256);
    const expected: string[] = [];
    for (let i = 0; i < 5000; i++) {
      writer.point('m,tag=long').float('value', i + 0.5).end(i);
      expected.push(`m,tag=long value=${i + 0.5} ${i}`);
    }
    const piece = writer.take();
    expect(piece.body.toString()).toBe(`${expected.join('\n')}\n`);
    expect(piece.points).toBe(5000);
  });

  it('encodes a message of samples as the samples one by one, joined', () => {
    const model = new FleetModel({ sites: 1, rigsPerSite: 60, seed: 3, intervalMs: 1000, faultRate: 0.2, gpuEvery: 7 });
    const samples = model.samplesAt(model.sites[0]!, 1, 1_700_000_000_000);
    const message = encodeSamples(samples);
    const one = samples.map((s) => encodeSample(s));
    expect(message.body.toString('utf8')).toBe(one.map((e) => `${e.lines}\n`).join(''));
    expect(message.points).toBe(one.reduce((n, e) => n + e.points, 0));
    expect(message.points).toBeGreaterThan(samples.length);
  });
});

describe('line writer numbers', () => {
  it('writes every float as String() does: decimals of 1 to 6 places, random doubles, tiny and huge values', () => {
    let seed = 12345;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const values: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const places = 1 + (i % 6);
      const magnitude = 10 ** Math.floor(random() * 12 - 3);
      values.push(Math.round((random() - 0.3) * magnitude * 10 ** places) / 10 ** places);
      values.push((random() - 0.5) * magnitude);
    }
    values.push(0.1 + 0.2, 1 / 3, 999_999_999.9999, 1e9 + 0.5, 0.0001, 0.00015, -0.0001, 5e-324, 123456.7891, 2.675, 1.005, 4.35, 0.07);
    const writer = new LineWriter();
    for (const v of values) writer.point('m').float('v', v).end(0);
    const written = writer.take().body.toString('utf8').split('\n').slice(0, -1).map((line) => line.slice('m v='.length, -' 0'.length));
    const mismatches = values.map((v, i) => [String(v), written[i]]).filter(([a, b]) => a !== b);
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it('writes every safe integer as String() does: each length, both sides of 2^31, zeros inside, random ones', () => {
    let seed = 777;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const values: number[] = [];
    for (let length = 1; length <= 16; length++) values.push(10 ** (length - 1), 10 ** length - 1, 2 * 10 ** (length - 1) + 7);
    values.push(2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32, 3_000_000_005, 100_000_000, 1_000_000_000_000_001, 2 ** 53 - 1, 1_764_555_555_555);
    for (let i = 0; i < 20_000; i++) values.push(Math.floor(random() * 10 ** (1 + (i % 16))) % Number.MAX_SAFE_INTEGER);
    const safe = values.filter((v) => Number.isSafeInteger(v)); // int() leaves the others out, as PointBuilder does
    const all = [...safe, ...safe.map((v) => -v)];
    const writer = new LineWriter();
    for (const v of all) writer.point('m').int('i', v).float('f', v).end(0);
    const written = writer.take().body.toString('utf8').split('\n').slice(0, -1);
    const mismatches = all.map((v, i) => [`m i=${String(v)}i,f=${String(v)} 0`, written[i]]).filter(([a, b]) => a !== b);
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(written).toHaveLength(all.length);
  });
});
