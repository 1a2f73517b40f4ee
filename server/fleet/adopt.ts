import { Sample as SampleSchema, type Sample } from '../contract/index.js';
import { compileGuard } from '../ingest/zod-guard.js';
import { compileAdopter } from './compile-adopter.js';

/** The contract's exact shape, compiled (compile-adopter.ts): held samples of that shape are adopted without a walk. */
const adoptExact = compileAdopter(SampleSchema);
/** True for a sample of exactly the contract's form (what decode hands on); peers' or tests' others take the walk. */
const isExact = compileGuard(SampleSchema);
/** Held samples not of that form (copied or adopted from one that was not): only the generic walk may adopt into them. */
const inexact = new WeakSet<object>();

/**
 * Live state keeps each rig's latest sample. Keeping the freshly parsed object meant that every sample of every tick
 * lived until the rig's next one: long enough for V8 to copy it out of the young generation into the old one, where
 * it then died and had to be found by a full mark-compact (at 20,000 rigs a tick, ~29 MB promoted per tick and a
 * full collection every two or three ticks: `npm run bench:hotpath` with `--trace-gc-nvp`). Instead the new values are
 * written into the object the rig already has, so the parsed sample dies young, where collecting it costs nothing.
 *
 * Nothing is shared either way: the held object is state's own (a copy when a rig is first seen), and whatever cannot
 * be written in place (a nested array whose length changed, an object where there was null, another kind of sample)
 * is copied in, never taken by reference, because the parsed sample goes on to the store and the alert engine, which
 * may keep it (the SQLite store buffers samples). Equal strings keep the string already held; a key the new sample
 * lacks is deleted. The result always reads exactly as `next` does (test/unit/adopt.test.ts). Callers that hand a
 * sample out beyond the current tick take a copy (sampleCopy), since the held object changes at the rig's next sample.
 */
export function adoptSample(current: Sample, next: Sample): Sample {
  if (current === next) return current;
  // Both of the contract's exact form (every sample decode hands on): the compiled adopter, one inline cache a key.
  if (adoptExact && !inexact.has(current) && adoptExact(current, next)) return current;
  // Anything else (and what the compiled one left half-written: another board count, a block that appeared): the walk.
  if (current.kind !== next.kind) return holdSample(next);
  copyObject(current as unknown as JsonObject, next as unknown as JsonObject);
  if (isExact?.(next)) inexact.delete(current);
  else inexact.add(current);
  return current;
}

/** State's own copy of a sample it starts holding (a rig seen for the first time). */
export function holdSample(sample: Sample): Sample {
  const copy = sampleCopy(sample);
  if (!isExact?.(sample)) inexact.add(copy);
  return copy;
}

/** A deep copy of a held sample, for views that outlive the current tick (JSON data: objects, arrays, primitives). */
export function sampleCopy<T extends Sample>(sample: T): T {
  return copyValue(sample) as T;
}

type JsonObject = Record<string, unknown>;

function copyObject(held: JsonObject, next: JsonObject): void {
  let keys = 0;
  for (const key in next) {
    keys++;
    const value = next[key];
    const before = held[key];
    if (Object.is(value, before)) continue; // (Object.is: a -0 replaces a 0, as a plain replacement would)
    // A JSON "__proto__" key is an own data property; plain assignment would set the prototype instead.
    if (key === '__proto__') Object.defineProperty(held, key, { value, writable: true, enumerable: true, configurable: true });
    else held[key] = merged(before, value);
  }
  // Both loops count inherited enumerable keys alike (none, unless Object.prototype was polluted), so equal counts
  // mean the same keys: next's are all in held now.
  let heldKeys = 0;
  for (const _key in held) heldKeys++;
  if (heldKeys !== keys) for (const key of Object.keys(held)) if (!Object.hasOwn(next, key)) delete held[key];
}

/** `value` written into `before` where both are objects (or arrays of one length); otherwise a copy of `value`. */
function merged(before: unknown, value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (before === null || typeof before !== 'object') return copyValue(value);
  if (Array.isArray(value)) {
    if (!Array.isArray(before) || before.length !== value.length) return copyValue(value);
    for (let i = 0; i < value.length; i++) {
      const item = value[i] as unknown;
      if (!Object.is(before[i], item)) before[i] = merged(before[i], item);
    }
    return before;
  }
  if (Array.isArray(before)) return copyValue(value);
  copyObject(before as JsonObject, value as JsonObject);
  return before;
}

/**
 * Objects are copied by spread, then their nested values replaced: V8 clones a parsed sample's shape in one step, and
 * replacing existing properties keeps it. Adding the keys one by one (`copy[key] = …`) turned every held sample into
 * a slow dictionary-mode object once past ~16 keys (V8's limit for properties added by keyed stores): 1,904 of 1,984
 * held samples in a simulated fleet, so each read of a held field was a dictionary lookup (`Builtins_LoadIC` in the
 * compiled adopter and applySamples, ~4 % of `npm run bench:hotpath`). Spread also keeps a JSON "__proto__" key an own
 * property, as JSON.parse does.
 */
function copyValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copyValue);
  const copy: JsonObject = { ...(value as JsonObject) };
  for (const key of Object.keys(copy)) {
    const item = copy[key];
    if (item === null || typeof item !== 'object') continue;
    const nested = copyValue(item);
    if (key === '__proto__') Object.defineProperty(copy, key, { value: nested, writable: true, enumerable: true, configurable: true });
    else copy[key] = nested;
  }
  return copy;
}
