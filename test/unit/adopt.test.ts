import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FleetModel } from '../../agents/sim/simulator.js';
import { parseConfig } from '../../server/config/load.js';
import { Sample as SampleSchema, type AsicSample, type GpuSample, type Sample } from '../../server/contract/index.js';
import { adoptSample, holdSample, sampleCopy } from '../../server/fleet/adopt.js';
import { compileAdopter } from '../../server/fleet/compile-adopter.js';
import { FleetState } from '../../server/fleet/state.js';

/**
 * Live state writes each new sample into the object the rig already holds (adopt.ts). What it holds must then read
 * exactly as the new sample, whatever changed between the two; and what was handed out before must not change.
 */
const model = new FleetModel({ sites: 1, rigsPerSite: 30, seed: 9, intervalMs: 5000, faultRate: 0.3, gpuEvery: 3 });
const site = model.sites[0]!;
const tick = (n: number): Sample[] => model.samplesAt(site, n, 1_700_000_000_000 + n * 5000);
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('adoptSample', () => {
  it('leaves the held sample reading exactly as the next one, in the same object', () => {
    const [a, b] = [tick(1), tick(2)];
    for (let i = 0; i < a.length; i++) {
      const held = clone(a[i]!);
      const next = clone(b[i]!);
      const board = held.kind === 'asic' ? held.boards[0] : undefined;
      const result = adoptSample(held, next);
      expect(result).toBe(held);
      expect(result).toEqual(b[i]);
      // Same-length arrays are rewritten in place, not replaced.
      if (board && result.kind === 'asic' && (b[i] as AsicSample).boards.length === (a[i] as AsicSample).boards.length) expect(result.boards[0]).toBe(board);
    }
  });

  it('takes over arrays whose length changed, nulls, optional keys that came or went, and a change of kind', () => {
    const asic = clone(tick(1).find((s): s is AsicSample => s.kind === 'asic')!);
    const gpu = clone(tick(1).find((s): s is GpuSample => s.kind === 'gpu')!);
    const next: AsicSample = { ...clone(asic), boards: asic.boards.slice(1), pools: [], model: null, algorithm: 'sha256', seq: undefined as unknown as number };
    delete (next as { seq?: number }).seq;
    const held = clone(asic);
    held.seq = 41;
    expect(adoptSample(held, next)).toEqual(next);
    expect(Object.keys(held).sort()).toEqual(Object.keys(next).sort());
    // And back again: the key that went comes back, the shorter arrays grow.
    expect(adoptSample(held, clone(asic))).toEqual(asic);
    const changed = adoptSample(clone(asic), gpu);
    expect(changed).toEqual(gpu);
    expect(changed).not.toBe(gpu); // a copy: the parsed sample may be kept by the store
    const withInference = { ...clone(gpu), inference: null };
    const heldGpu = clone(gpu);
    expect(adoptSample(heldGpu, withInference)).toEqual(withInference);
  });

  it('agrees with a plain replacement on random changes to real samples', () => {
    const base = tick(1);
    const value = fc.oneof(fc.constant(null), fc.double({ noNaN: true }), fc.string({ maxLength: 8 }), fc.array(fc.integer(), { maxLength: 4 }));
    fc.assert(
      fc.property(fc.nat(base.length - 1), fc.nat(base.length - 1), fc.dictionary(fc.constantFrom('power_w', 'errors', 'boards', 'pools', 'gpus', 'status_text', 'fans_rpm', 'seq', 'model'), value), (i, j, changes) => {
        const held = clone(base[i]!);
        const next = { ...clone(base[j]!), ...changes } as Sample;
        const expected = structuredClone(next);
        expect(adoptSample(held, next)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps a JSON "__proto__" key an own property, never the prototype', () => {
    const held = clone(tick(1)[0]!);
    const next = JSON.parse(JSON.stringify(tick(2)[0]).replace('{', '{"__proto__":{"polluted":true},')) as Sample;
    const result = adoptSample(held, next);
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect((result as unknown as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.hasOwn(result, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(sampleCopy(result))).toBe(Object.prototype);
  });
});

describe('fleet state and the samples it is given', () => {
  it('never changes a sample it was given: the store may still hold it (the SQLite store buffers samples)', () => {
    const state = new FleetState({ rules: parseConfig({}).alerts.rules, missedIntervals: 3, siteNames: new Map() });
    const given = [tick(1), tick(2), tick(3)].map((samples) => samples.map(clone));
    const asGiven = clone(given);
    // The third tick: a board fewer and no pools on the first ASIC (arrays that cannot be written in place).
    const third = given[2]!.find((s): s is AsicSample => s.kind === 'asic')!;
    third.boards = third.boards.slice(1);
    third.pools = [];
    const thirdAsGiven = clone(third);
    for (const samples of given) state.applySamples('controller', samples);
    expect(given.slice(0, 2)).toEqual(asGiven.slice(0, 2));
    expect(third).toEqual(thirdAsGiven);
    // And what state holds is not any of them.
    const held = state.rig(third.rig)!;
    expect(held).toMatchObject({ kind: 'asic', boards: third.boards });
    state.applySamples('controller', [{ ...clone(given[0]!.find((s) => s.rig === third.rig)!), ts: third.ts + 5000 }]);
    expect(third).toEqual(thirdAsGiven);
  });
});

describe('fleet state views', () => {
  it('are copies: a view taken before the next sample keeps what it showed', () => {
    const state = new FleetState({ rules: parseConfig({}).alerts.rules, missedIntervals: 3, siteNames: new Map() });
    const first = tick(1).find((s): s is AsicSample => s.kind === 'asic')!;
    state.applySamples('controller', [clone(first)]);
    const before = state.rig(first.rig)!;
    const shown = clone(before);
    const second: AsicSample = { ...clone(first), ts: first.ts + 5000, boards: first.boards.map((b) => ({ ...b, temp_c: (b.temp_c ?? 0) + 10 })) };
    state.applySamples('controller', [second]);
    expect(before).toEqual(shown);
    expect(state.rig(first.rig)).toMatchObject({ ts: second.ts, boards: second.boards });
  });
});

describe('compiled adopter (the contract\'s exact form, without the generic walk)', () => {
  const adopt = compileAdopter(SampleSchema);

  it('compiles for the contract and adopts every pair of real samples of one kind in place', () => {
    expect(adopt).not.toBeNull();
    const ticks = [tick(1), tick(2), tick(7)];
    let adopted = 0;
    for (const a of ticks[0]!) {
      for (const b of [...ticks[1]!, ...ticks[2]!]) {
        if (a.kind !== b.kind) continue;
        const held = clone(a);
        const next = clone(b);
        const sameForm = a.kind === 'asic' ? (a as AsicSample).boards.length === (b as AsicSample).boards.length && (a as AsicSample).pools.length === (b as AsicSample).pools.length : (a as GpuSample).gpus.length === (b as GpuSample).gpus.length && ((a as GpuSample).inference === null) === ((b as GpuSample).inference === null);
        const ok = adopt!(held, next);
        if (sameForm) expect(ok).toBe(true);
        if (ok) {
          adopted++;
          expect(held).toEqual(b);
          expect(Object.keys(held)).toEqual(expect.arrayContaining(Object.keys(b)));
          expect(Object.keys(held)).toHaveLength(Object.keys(b).length);
        }
      }
    }
    expect(adopted).toBeGreaterThan(100);
  });

  it('tells 0 from -0 and takes every other number as it comes, in fields and in arrays', () => {
    const asic = clone(tick(1).find((s): s is AsicSample => s.kind === 'asic')!);
    const held = { ...clone(asic), power_w: 0, fans_rpm: [0, 1, 2, 3], boards: asic.boards.map((b) => ({ ...b, temp_c: -0 })) };
    const next = { ...clone(asic), power_w: -0, fans_rpm: [-0, 1, 2.5, 3], boards: asic.boards.map((b) => ({ ...b, temp_c: 0 })) };
    expect(adopt!(held, next)).toBe(true);
    expect(Object.is(held.power_w, -0)).toBe(true);
    expect(Object.is(held.fans_rpm[0], -0)).toBe(true);
    expect(held.fans_rpm).toEqual([-0, 1, 2.5, 3]);
    for (const b of held.boards) expect(Object.is(b.temp_c, 0)).toBe(true);
  });

  it('refuses a next sample with a key the contract does not have, or a value of another form', () => {
    const asic = tick(1).find((s): s is AsicSample => s.kind === 'asic')!;
    expect(adopt!(clone(asic), { ...clone(asic), extra: 1 })).toBe(false);
    expect(adopt!(clone(asic), { ...clone(asic), boards: 'none' })).toBe(false);
    expect(adopt!(clone(asic), { ...clone(asic), power_w: { w: 1 } })).toBe(false);
    expect(adopt!(clone(asic), { ...clone(asic), boards: asic.boards.map((b) => ({ ...b, extra: true })) })).toBe(false);
    expect(adopt!(clone(asic), { ...clone(asic), kind: 'gpu' })).toBe(false);
  });

  it('never lets a held sample keep a key from a sample of another form: such a one is adopted by the walk', () => {
    const asic = clone(tick(1).find((s): s is AsicSample => s.kind === 'asic')!);
    const held = holdSample({ ...asic, extra: 'kept?' } as Sample);
    const next = clone(tick(2).find((s) => s.rig === asic.rig)!);
    expect(adoptSample(held, next)).toEqual(next); // the walk deletes `extra`
    expect(Object.hasOwn(held, 'extra')).toBe(false);
    // Held and next of the exact form from here on: adopted in place, still exact.
    const third = clone(tick(3).find((s) => s.rig === asic.rig)!);
    expect(adoptSample(held, third)).toBe(held);
    expect(held).toEqual(third);
  });
});
