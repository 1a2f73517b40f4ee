import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FleetModel } from '../../agents/sim/simulator.js';
import { Sample, SampleBatch, TelemetryMessage } from '../../server/contract/index.js';
import { compileGuard, type Guard } from '../../server/ingest/zod-guard.js';

/**
 * The guard is the ingest fast path: it must never accept what the zod contract refuses, nor accept a value zod
 * would change (strip). On values with exactly the schema's keys it must agree with zod both ways, or the fast path
 * would quietly stop being taken.
 */
const model = new FleetModel({ sites: 2, rigsPerSite: 30, seed: 5, intervalMs: 5000, faultRate: 0.2, gpuEvery: 4 });
const samples = model.sites.flatMap((site) => model.samplesAt(site, 3, 1_700_000_000_000));
const telemetry = compileGuard(TelemetryMessage) as Guard;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** zod's verdict, and whether its output equals the input unchanged. */
function zodVerdict(schema: z.ZodType, value: unknown): { ok: boolean; same: boolean } {
  const r = schema.safeParse(value);
  return r.success ? { ok: true, same: isDeepStrictEqual(r.data, value) } : { ok: false, same: false };
}

/** Strings over 512 UTF-16 units may still fit zod's 512 code points: the guard leaves those to zod. */
const hasLongString = (value: unknown): boolean =>
  typeof value === 'string' ? value.length > 512 : typeof value === 'object' && value !== null && Object.values(value).some(hasLongString);

/** Values a hostile or buggy agent might put in any field. */
const junk = fc.oneof(
  fc.constantFrom(null, true, false, 0, -0, -1, 1, 0.5, 3600, 3600.5, 2 ** 53, -(2 ** 53), Infinity, -Infinity, '', 'x', 'asic', 'gpu', 'alive', 'measured', [], {}),
  fc.double(),
  fc.integer(),
  fc.string({ maxLength: 3 }),
  fc.string({ minLength: 510, maxLength: 514 }),
  fc.string({ unit: 'binary', minLength: 256, maxLength: 600 }),
  fc.array(fc.integer(), { maxLength: 70 }),
  fc.stringMatching(/^[a-z0-9-]{0,66}$/),
);

/** Every path to a leaf or object in a value (arrays and objects), for mutating one place. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [prefix, ...keys.flatMap((k) => paths((value as Record<string | number, unknown>)[k], [...prefix, k]))];
}

function mutate(value: unknown, path: (string | number)[], replacement: unknown, op: 'set' | 'delete' | 'add'): unknown {
  const copy = clone(value);
  if (path.length === 0) return op === 'set' ? replacement : copy;
  let parent = copy as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (op === 'set') parent[last] = replacement;
  else if (op === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (!Array.isArray(parent)) parent.extra_field = replacement;
  return copy;
}

describe('compileGuard (zod contract → fast ingest check)', () => {
  it('compiles the telemetry contract and accepts every simulated sample, single and batched', () => {
    expect(telemetry).toBeTypeOf('function');
    expect(samples.some((s) => s.kind === 'gpu') && samples.some((s) => s.kind === 'asic')).toBe(true);
    for (const s of samples) expect(telemetry(clone(s))).toBe(true);
    expect(telemetry(clone({ schema: 1, samples }))).toBe(true);
  });

  it('never accepts what zod refuses or would change, and agrees with zod when no key is added', () => {
    const sample = fc.constantFrom(...samples);
    const value = fc.oneof(sample, sample.map((s) => ({ schema: 1, samples: [s, samples[0]] })));
    fc.assert(
      fc.property(value, fc.nat(), junk, fc.constantFrom('set', 'set', 'delete', 'add'), (base, pick, replacement, op) => {
        const all = paths(base);
        const input = mutate(base, all[pick % all.length] as (string | number)[], replacement, op as 'set' | 'delete' | 'add');
        const fast = telemetry(input);
        const zod = zodVerdict(TelemetryMessage, input);
        if (fast) expect(zod).toEqual({ ok: true, same: true });
        if (op !== 'add' && zod.same && !hasLongString(input)) expect(fast).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it('leaves unknown keys, Infinity and ambiguous string lengths to zod', () => {
    const asic = clone(samples.find((s) => s.kind === 'asic'))!;
    expect(telemetry({ ...asic, extra: 1 })).toBe(false); // zod strips it: the caller must take zod's copy
    expect(TelemetryMessage.safeParse({ ...asic, extra: 1 }).success).toBe(true);
    expect(telemetry(JSON.parse(JSON.stringify(asic).replace(/"ts":\d+/, '"ts":1e999')))).toBe(false);
    // 514 UTF-16 code units, 257 code points: however zod counts them, the guard leaves the decision to zod.
    const emoji = '😀'.repeat(257);
    expect(telemetry({ ...asic, status_text: emoji })).toBe(false);
    expect(telemetry({ ...asic, status_text: 'x'.repeat(513) })).toBe(false);
    expect(telemetry({ ...asic, status_text: 'x'.repeat(512) })).toBe(true);
    expect(telemetry(JSON.parse(`{"__proto__":{"x":1},${JSON.stringify(asic).slice(1)}`))).toBe(false);
  });

  it('refuses to mirror what it cannot mirror exactly (zod decides alone)', () => {
    expect(compileGuard(z.object({ a: z.number() }).passthrough())).toBeNull();
    expect(compileGuard(z.object({ a: z.number().default(1) }))).toBeNull();
    expect(compileGuard(z.string().transform((s) => s.length))).toBeNull();
    expect(compileGuard(z.number().refine((n) => n > 1))).toBeNull();
    expect(compileGuard(z.number().multipleOf(2))).toBeNull();
    // zod's union returns the FIRST option that parses, stripping what the second would keep: order matters.
    expect(compileGuard(z.union([z.object({ a: z.number() }), z.object({ a: z.number(), b: z.number() })]))).toBeNull();
    expect(compileGuard(z.union([z.object({ a: z.number(), b: z.number() }), z.object({ a: z.number() })]))).toBeTypeOf('function');
    expect(compileGuard(SampleBatch)).toBeTypeOf('function');
    expect(compileGuard(Sample)).toBeTypeOf('function');
  });
});
