import type { z } from 'zod';

/**
 * `adopt(held, next)` writes `next`'s values into `held` in place, as adopt.ts's copyObject does, and answers true —
 * when both are of the schema's exact shape: the declared keys and no others, objects where the schema has objects,
 * arrays where it has arrays, and arrays of objects of one length. Otherwise it answers false, possibly after writing
 * part of `held`: the caller then finishes with the generic copy, which rewrites every key (adopt.ts).
 */
export type Adopter = (held: object, next: object) => boolean;

interface Def {
  type: string;
  shape?: Record<string, Schema>;
  element?: Schema;
  innerType?: Schema;
  options?: Schema[];
  discriminator?: string;
  values?: unknown[];
}
interface Schema {
  _zod: { def: Def };
}

class Unsupported extends Error {}

const defOf = (schema: unknown): Def => (schema as Schema)._zod.def;
/** Keys a plain property read would find on Object.prototype when absent: never compiled. */
const PROTOTYPE_KEYS = new Set(Object.getOwnPropertyNames(Object.prototype));

type Field = { kind: 'primitive' } | { kind: 'object'; fn: string; nullable: boolean } | { kind: 'array'; element: Field };

/**
 * Generated JavaScript, one function per object schema, for the same reason as the ingest guard (ingest/zod-guard.ts):
 * every key is read and written by its constant name, so each access gets its own inline cache. The generic copy
 * walks keys with for-in and reads and writes `held[key]`, a megamorphic keyed access per field: ~3 µs of a
 * sample's ~25 µs on the ingest hot path (`npm run bench:ingest` profile). Only key names reach the source, through
 * JSON.stringify, and only the schema's own.
 */
class Emitter {
  readonly functions: string[] = [];

  fn(lines: string[]): string {
    const name = `a${this.functions.length}`;
    this.functions.push(`function ${name}(h, n) {\n${lines.join('\n')}\n}`);
    return name;
  }
}

function field(schema: unknown, out: Emitter): Field {
  let def = defOf(schema);
  let nullable = false;
  while (def.type === 'nullable') {
    nullable = true;
    def = defOf(def.innerType);
  }
  switch (def.type) {
    case 'number':
    case 'string':
    case 'boolean':
    case 'literal':
    case 'enum':
      return { kind: 'primitive' };
    case 'object':
      return { kind: 'object', fn: objectAdopter(def, out), nullable };
    case 'array': {
      const element = field(def.element, out);
      if (nullable || element.kind === 'array' || (element.kind === 'object' && element.nullable)) throw new Unsupported('array form');
      return { kind: 'array', element };
    }
    default:
      throw new Unsupported(`type ${def.type}`);
  }
}

const isObject = (v: string): string => `(typeof ${v} === 'object' && ${v} !== null && !Array.isArray(${v}))`;
const isComposite = (v: string): string => `(typeof ${v} === 'object' && ${v} !== null)`;
/**
 * !Object.is(a, b), written out: Object.is on two numbers was a call to V8's SameValue builtin per field. `!==` alone
 * would miss 0 against -0; NaN (never in JSON) merely counts as changed.
 */
const differs = (a: string, b: string): string => `(${a} !== ${b} || (${a} === 0 && 1 / ${a} !== 1 / ${b}))`;

/** Source that adopts `v` (next's value, never undefined here) into `h[key]`, or returns false. */
function adoptField(key: string, f: Field): string[] {
  const at = `h[${JSON.stringify(key)}]`;
  if (f.kind === 'primitive') return [`b = ${at};`, `if (${differs('b', 'v')}) { if (${isComposite('v')}) return false; ${at} = v; }`];
  if (f.kind === 'object') {
    return [
      `b = ${at};`,
      `if (v === null) { ${f.nullable ? `if (b !== null) ${at} = null;` : 'return false;'} }`,
      `else if (!${isObject('v')} || !${isObject('b')} || !${f.fn}(b, v)) return false;`,
    ];
  }
  // Arrays: primitives are merged element by element, or copied when the length changed; objects only merged.
  const lines = [`b = ${at};`, 'if (!Array.isArray(v) || !Array.isArray(b)) return false;'];
  if (f.element.kind === 'primitive') {
    lines.push(
      'if (b.length === v.length) {',
      `  for (let i = 0; i < v.length; i++) { const e = v[i], g = b[i]; if (${differs('g', 'e')}) { if (${isComposite('e')}) return false; b[i] = e; } }`,
      '} else {',
      `  for (let i = 0; i < v.length; i++) { const e = v[i]; if (${isComposite('e')}) return false; }`,
      `  ${at} = v.slice();`,
      '}',
    );
  } else {
    const fn = (f.element as { fn: string }).fn;
    lines.push(
      'if (b.length !== v.length) return false;',
      `for (let i = 0; i < v.length; i++) { const e = v[i], g = b[i]; if (!${isObject('e')} || !${isObject('g')} || !${fn}(g, e)) return false; }`,
    );
  }
  return lines;
}

function objectAdopter(def: Def, out: Emitter): string {
  if (!def.shape) throw new Unsupported('object without shape');
  const lines = ['let v, b, known = 0;'];
  for (const [key, schema] of Object.entries(def.shape)) {
    if (PROTOTYPE_KEYS.has(key)) throw new Unsupported(`key ${key}`);
    const d = defOf(schema);
    const optional = d.type === 'optional';
    const f = field(optional ? d.innerType : schema, out);
    const read = `n[${JSON.stringify(key)}]`;
    lines.push(`v = ${read};`);
    if (optional) lines.push(`if (v === undefined) { if (h[${JSON.stringify(key)}] !== undefined) delete h[${JSON.stringify(key)}]; } else {`, 'known++;', ...adoptField(key, f), '}');
    else lines.push('if (v === undefined) return false;', 'known++;', ...adoptField(key, f));
  }
  // Exactly the declared keys in next (held has no others: adopt.ts only ever keeps exact ones on this path).
  lines.push('let count = 0;', 'for (const _ in n) count++;', 'return count === known;');
  return out.fn(lines);
}

function unionAdopter(def: Def, out: Emitter): string {
  const key = def.discriminator;
  if (key === undefined || PROTOTYPE_KEYS.has(key)) throw new Unsupported('union without discriminator');
  const lines = [`const k = n[${JSON.stringify(key)}];`, `if (h[${JSON.stringify(key)}] !== k) return false;`];
  for (const option of def.options ?? []) {
    const d = defOf(option);
    const literal = defOf(d.shape?.[key]);
    if (d.type !== 'object' || literal.type !== 'literal' || literal.values?.length !== 1 || typeof literal.values[0] !== 'string') throw new Unsupported('discriminator');
    lines.push(`if (k === ${JSON.stringify(literal.values[0])}) return ${objectAdopter(d, out)}(h, n);`);
  }
  lines.push('return false;');
  return out.fn(lines);
}

/** The adopter for an object schema or a discriminated union of them; null when the schema has other forms. */
export function compileAdopter(schema: z.ZodType): Adopter | null {
  const out = new Emitter();
  let root: string;
  try {
    const def = defOf(schema);
    if (def.type === 'union') root = unionAdopter(def, out);
    else if (def.type === 'object') root = objectAdopter(def, out);
    else throw new Unsupported(`root ${def.type}`);
  } catch (err) {
    if (err instanceof Unsupported) return null;
    throw err;
  }
  const source = `'use strict';\n${out.functions.join('\n')}\nreturn ${root};`;
  return new Function(source)() as Adopter;
}
