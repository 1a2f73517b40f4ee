import type { z } from 'zod';

/**
 * A fast, allocation-free check derived from a zod schema, for the ingest hot path: `guard(value)` is true only
 * when `schema.safeParse(value)` would succeed AND return a value deep-equal to `value` (no unknown keys to strip,
 * no defaults, no transforms). Anything else answers false and the caller runs zod itself, which then gives the same
 * result and error it always did. So the guard never decides what is valid on its own: the zod contract does, and a
 * schema the compiler does not understand simply compiles to null (zod only). test/unit/zod-guard.test.ts checks
 * with fast-check that the guard agrees with zod on valid samples and on random mutations of them.
 *
 * Supported: object (strip, no catchall), array, string, number, boolean, literal, enum, nullable, optional (as an
 * object property), discriminated union, and a plain union whose earlier options can never accept a later option's
 * exact shape (see unionIsOrderFree). Checks: number safeint / greater_than / less_than, string and array
 * min/max length, string regex. Anything else (refinements, transforms, defaults, other formats) → null.
 */
export type Guard = (value: unknown) => boolean;

interface Def {
  type: string;
  checks?: { _zod: { def: CheckDef } }[];
  shape?: Record<string, Schema>;
  catchall?: unknown;
  element?: Schema;
  innerType?: Schema;
  options?: Schema[];
  discriminator?: string;
  values?: unknown[];
  entries?: Record<string, unknown>;
}
interface CheckDef {
  check: string;
  format?: string;
  value?: unknown;
  inclusive?: boolean;
  maximum?: number;
  minimum?: number;
  pattern?: RegExp;
  when?: unknown;
}
interface Schema {
  _zod: { def: Def };
}

class Unsupported extends Error {}

const defOf = (schema: unknown): Def => (schema as Schema)._zod.def;

/** Object keys that would read through to Object.prototype when absent: never guarded with a plain property read. */
const PROTOTYPE_KEYS = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * The guard is generated JavaScript, one small function per schema node (compiled once, at start): each property is
 * read by its constant name, so V8 gives every read its own inline cache and inlines the checks. The first version
 * walked the schema with closures and read `value[key]` in a loop, a megamorphic keyed load per field: ~3 µs of the
 * ~33 µs a sample cost on the hot path (`npm run bench:hotpath` profile). Only constants from the schema itself reach
 * the source: property names and literals through JSON.stringify, numbers checked finite, anything else (patterns,
 * literal and enum values) passed in as data, never as text.
 */
class Emitter {
  readonly functions: string[] = [];
  readonly constants: unknown[] = [];

  /** Adds `function gN(x) { body }` and returns its name. */
  fn(body: string): string {
    const name = `g${this.functions.length}`;
    this.functions.push(`function ${name}(x) {\n${body}\n}`);
    return name;
  }

  constant(value: unknown): string {
    this.constants.push(value);
    return `c[${this.constants.length - 1}]`;
  }
}

/** A number from the schema as JavaScript source: only finite numbers are written into generated code. */
function numberLiteral(n: number): string {
  if (!Number.isFinite(n)) throw new Unsupported(`bound ${n}`);
  return Object.is(n, -0) ? '-0' : String(n);
}

function numberGuard(def: Def, out: Emitter): string {
  // zod 4 numbers are finite: NaN and ±Infinity are refused (JSON.parse('1e999') is Infinity).
  const tests = ["typeof x === 'number'", 'Number.isFinite(x)'];
  for (const { _zod } of def.checks ?? []) {
    const c = _zod.def;
    if (c.when !== undefined) throw new Unsupported('conditional check');
    const bound = c.value;
    if (c.check === 'number_format' && c.format === 'safeint') tests.push('Number.isSafeInteger(x)');
    else if (c.check === 'greater_than' && typeof bound === 'number') tests.push(`x ${c.inclusive ? '>=' : '>'} ${numberLiteral(bound)}`);
    else if (c.check === 'less_than' && typeof bound === 'number') tests.push(`x ${c.inclusive ? '<=' : '<'} ${numberLiteral(bound)}`);
    else throw new Unsupported(`number check ${c.check} ${c.format ?? ''}`);
  }
  return out.fn(`return ${tests.join(' && ')};`);
}

/** min/max length checks shared by strings and arrays (zod compares `.length`: UTF-16 code units for strings). */
function lengthBounds(def: Def, allowRegex: boolean): { min: number; max: number; patterns: RegExp[] } {
  let min = 0;
  let max = Infinity;
  const patterns: RegExp[] = [];
  for (const { _zod } of def.checks ?? []) {
    const c = _zod.def;
    // zod runs its length checks only `when` the input has a length: the guard has checked the type first.
    if (c.when !== undefined && c.check !== 'max_length' && c.check !== 'min_length') throw new Unsupported('conditional check');
    if (c.check === 'max_length' && typeof c.maximum === 'number') max = Math.min(max, c.maximum);
    else if (c.check === 'min_length' && typeof c.minimum === 'number') min = Math.max(min, c.minimum);
    else if (allowRegex && c.check === 'string_format' && c.format === 'regex' && c.pattern instanceof RegExp && !c.pattern.global && !c.pattern.sticky) patterns.push(c.pattern);
    else throw new Unsupported(`length check ${c.check} ${c.format ?? ''}`);
  }
  return { min, max, patterns };
}

/** The `.length` bounds as source: a bound of Infinity (none) is left out. */
function lengthTests(min: number, max: number): string[] {
  return [...(min > 0 ? [`x.length >= ${numberLiteral(min)}`] : []), ...(Number.isFinite(max) ? [`x.length <= ${numberLiteral(max)}`] : [])];
}

/**
 * zod measures strings in code points (this version: only when UTF-16 units alone do not decide). A code point is
 * one or two units, so `units <= max` fits either way and `units >= 2 × min` does too; in between zod decides.
 */
function stringGuard(def: Def, out: Emitter): string {
  const { min, max, patterns } = lengthBounds(def, true);
  if (patterns.length > 1) throw new Unsupported('several patterns');
  const tests = ["typeof x === 'string'", ...lengthTests(2 * min, max), ...patterns.map((p) => `${out.constant(p)}.test(x)`)];
  return out.fn(`return ${tests.join(' && ')};`);
}

function arrayGuard(def: Def, out: Emitter): string {
  const { min, max } = lengthBounds(def, false);
  const element = compile(def.element, out);
  const tests = ['Array.isArray(x)', ...lengthTests(min, max)];
  return out.fn(`if (!(${tests.join(' && ')})) return false;\nfor (let i = 0; i < x.length; i++) if (!${element}(x[i])) return false;\nreturn true;`);
}

function objectGuard(def: Def, out: Emitter): string {
  if (def.catchall !== undefined || !def.shape) throw new Unsupported('object with catchall');
  const lines = ["if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;"];
  let required = 0;
  for (const [key, schema] of Object.entries(def.shape)) {
    if (PROTOTYPE_KEYS.has(key)) throw new Unsupported(`key ${key}`);
    const d = defOf(schema);
    const read = `x[${JSON.stringify(key)}]`;
    if (d.type === 'optional') {
      lines.push(`v = ${read};`, `if (v !== undefined) { if (!${compile(d.innerType, out)}(v)) return false; known++; }`);
    } else {
      lines.push(`if (!${compile(schema, out)}(${read})) return false;`);
      required++;
    }
  }
  // Exactly the declared keys: a key zod would strip (or a JSON "__proto__" own key) leaves the decision to zod.
  lines.splice(1, 0, `let known = ${required};`, 'let v;');
  lines.push('return Object.keys(x).length === known;');
  return out.fn(lines.join('\n'));
}

/** Required keys and all keys of each object shape a schema may take (a discriminated union has several). */
function shapesOf(schema: Schema): { required: Set<string>; keys: Set<string> }[] {
  const def = defOf(schema);
  if (def.type === 'object' && def.shape) {
    const keys = new Set(Object.keys(def.shape));
    const required = new Set([...keys].filter((k) => defOf((def.shape as Record<string, Schema>)[k]).type !== 'optional'));
    return [{ required, keys }];
  }
  if (def.type === 'union' && def.discriminator !== undefined) return (def.options ?? []).flatMap(shapesOf);
  throw new Unsupported(`union option of type ${def.type}`);
}

/**
 * zod's plain union returns the FIRST option that parses. The guard may answer for option j only if no earlier
 * option could ever accept an object of option j's exact shape: each earlier shape requires a key option j lacks.
 */
function unionIsOrderFree(options: Schema[]): boolean {
  const shapes = options.map(shapesOf);
  for (let j = 1; j < shapes.length; j++) {
    for (let i = 0; i < j; i++) {
      for (const later of shapes[j] ?? []) {
        for (const earlier of shapes[i] ?? []) if (![...earlier.required].some((k) => !later.keys.has(k))) return false;
      }
    }
  }
  return true;
}

function unionGuard(def: Def, out: Emitter): string {
  const options = def.options ?? [];
  if (def.discriminator !== undefined) {
    // A discriminated union: each option's discriminator is a distinct literal, so at most one option can accept.
    const seen = new Set<unknown>();
    for (const option of options) {
      const discriminant = defOf(defOf(option).shape?.[def.discriminator]);
      if (discriminant.type !== 'literal' || !discriminant.values) throw new Unsupported('non-literal discriminator');
      for (const v of discriminant.values) {
        if (seen.has(v)) throw new Unsupported('repeated discriminator');
        seen.add(v);
      }
    }
  } else if (!unionIsOrderFree(options)) {
    throw new Unsupported('order-dependent union');
  }
  const guards = options.map((o) => `${compile(o, out)}(x)`);
  return out.fn(`return ${guards.length > 0 ? guards.join(' || ') : 'false'};`);
}

function compile(schema: unknown, out: Emitter): string {
  if (schema === undefined) throw new Unsupported('missing schema');
  const def = defOf(schema);
  switch (def.type) {
    case 'number':
      return numberGuard(def, out);
    case 'string':
      return stringGuard(def, out);
    case 'boolean':
      if (def.checks?.length) throw new Unsupported('boolean checks');
      return out.fn("return typeof x === 'boolean';");
    case 'literal': {
      const values = def.values ?? [];
      if (def.checks?.length || values.some((v) => v !== null && typeof v === 'object')) throw new Unsupported('literal');
      return out.fn(`return ${values.length > 0 ? values.map((v) => `x === ${out.constant(v)}`).join(' || ') : 'false'};`);
    }
    case 'enum': {
      if (def.checks?.length) throw new Unsupported('enum checks');
      const values = out.constant(new Set(Object.values(def.entries ?? {})));
      return out.fn(`return (typeof x === 'string' || typeof x === 'number') && ${values}.has(x);`);
    }
    case 'nullable':
      return out.fn(`return x === null || ${compile(def.innerType, out)}(x);`);
    case 'array':
      return arrayGuard(def, out);
    case 'object':
      if (def.checks?.length) throw new Unsupported('object refinement');
      return objectGuard(def, out);
    case 'union':
      if (def.checks?.length) throw new Unsupported('union refinement');
      return unionGuard(def, out);
    default:
      throw new Unsupported(`type ${def.type}`);
  }
}

/** The guard for `schema`, or null when the schema uses something the guard cannot mirror exactly (use zod). */
export function compileGuard(schema: z.ZodType): Guard | null {
  const out = new Emitter();
  let root: string;
  try {
    root = compile(schema, out);
  } catch (err) {
    if (err instanceof Unsupported) return null;
    throw err;
  }
  // The schema's own checks as code (see Emitter): nothing from a message ever reaches this source.
  const source = `'use strict';\n${out.functions.join('\n')}\nreturn ${root};`;
  return new Function('c', source)(out.constants) as Guard;
}
