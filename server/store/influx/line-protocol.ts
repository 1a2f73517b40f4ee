/**
 * InfluxDB line protocol encoding (https://docs.influxdata.com/influxdb/v1/write_protocols/line_protocol_reference/):
 *   measurement,tag=value field=1.5,count=3i,text="x" 1700000000000
 * Measurement names and tag and field keys are fixed by rigline's schema; only tag and field values come from the
 * wire, and every one of them goes through the escapers below.
 */

// Control characters (newlines above all) end a line; the protocol has no escape for them in tags.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;
/** A backslash that ends a tag value or precedes a special character or another backslash (see tagValue). */
const UNSAFE_BACKSLASH = /\\(?=[,= \\]|$)/g;
const TAG_SPECIAL = /[,= ]/;

/** Tag values longer than this are cut: tags are indexed identifiers, not text. */
export const MAX_TAG_LENGTH = 128;

/**
 * The tag value InfluxDB stores for `value` (null: no tag). Tags are identifiers (model, firmware), so they are
 * normalised rather than rejected: control characters become spaces, the value is trimmed and cut to
 * MAX_TAG_LENGTH, and a backslash that would swallow the next character becomes '/'. InfluxDB 1.x and 2.x unescape
 * only `\,` `\=` and `\ ` in tags (a `\\` is stored as two backslashes), so no escape can carry such a backslash.
 */
export function tagValue(value: string | null): string | null {
  if (value === null) return null;
  const v = value.replace(CONTROL, ' ').slice(0, MAX_TAG_LENGTH).trim().replace(UNSAFE_BACKSLASH, '/');
  return v.length > 0 ? v : null;
}

/** Escapes a normalised tag value (see tagValue): comma, equals sign and space get a backslash. */
export function escapeTag(value: string): string {
  return TAG_SPECIAL.test(value) ? value.replace(/[,= ]/g, '\\$&') : value;
}

/** Values that need neither normalising nor escaping (ids, indexes, most firmware strings): the hot path. */
const PLAIN_TAG = /^[A-Za-z0-9._:/+-]{1,128}$/;
const encodedTags = new Map<string, string | null>();
const ENCODED_TAGS_MAX = 10_000;

/**
 * tagValue + escapeTag for one value, memoised: tag values repeat (a fleet has a few dozen models and firmware
 * versions), while normalising and escaping them on every point is most of the encoding cost. The memo is bounded
 * and only holds values that need work; plain values skip it.
 */
export function encodedTag(value: string): string | null {
  if (PLAIN_TAG.test(value)) return value;
  let encoded = encodedTags.get(value);
  if (encoded === undefined) {
    const normalised = tagValue(value);
    encoded = normalised === null ? null : escapeTag(normalised);
    if (encodedTags.size >= ENCODED_TAGS_MAX) encodedTags.clear();
    encodedTags.set(value, encoded);
  }
  return encoded;
}

/** Escapes a string field value: inside double quotes only '"' and '\' need a backslash; newlines are allowed. */
export function escapeStringField(value: string): string {
  return /["\\]/.test(value) ? value.replace(/["\\]/g, '\\$&') : value;
}

/** `measurement,tag=value,…`: the series part of a line, tags with a null or empty value left out. */
export function seriesHead(measurement: string, tags: readonly (readonly [string, string | null])[]): string {
  let head = measurement;
  for (const [key, value] of tags) {
    const v = value === null ? null : encodedTag(value);
    if (v !== null) head += `,${key}=${v}`;
  }
  return head;
}

/**
 * A bounded memo of per-series data (line heads above all): a rig's series heads are the same on every sample, so
 * the store builds them once per rig instead of normalising, escaping and concatenating every tag of every point.
 * Entries are checked by the caller (a changed model or firmware rebuilds them); when `max` entries are held the
 * memo starts over, so hostile rig ids can cost memory only up to the bound.
 */
export class SeriesMemo<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly max: number) {}

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: V): V {
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(key, value);
    return value;
  }
}

/**
 * Builds one line. Fields are appended with float/int/string/bool helpers; a point without fields is invalid in
 * line protocol, so `line()` returns null for it.
 */
export class PointBuilder {
  private fields = '';

  constructor(private readonly head: string) {}

  /** Starts a point: `measurement` is a schema constant; tags are [key, value] with keys from the schema. */
  static start(measurement: string, tags: readonly (readonly [string, string | null])[]): PointBuilder {
    return new PointBuilder(seriesHead(measurement, tags));
  }

  /** Starts a point from a head seriesHead() built (or a SeriesHeads memo kept). */
  static withHead(head: string): PointBuilder {
    return new PointBuilder(head);
  }

  private add(key: string, encoded: string): this {
    this.fields += this.fields.length === 0 ? `${key}=${encoded}` : `,${key}=${encoded}`;
    return this;
  }

  /** Floats are written in JavaScript's shortest round-trip form (InfluxDB accepts exponents such as 1e+21). */
  float(key: string, value: number | null | undefined): this {
    return value === null || value === undefined || !Number.isFinite(value) ? this : this.add(key, String(value));
  }

  int(key: string, value: number | null | undefined): this {
    return value === null || value === undefined || !Number.isSafeInteger(value) ? this : this.add(key, `${value}i`);
  }

  str(key: string, value: string | null | undefined): this {
    return value === null || value === undefined ? this : this.add(key, `"${escapeStringField(value)}"`);
  }

  bool(key: string, value: boolean | null | undefined): this {
    return value === null || value === undefined ? this : this.add(key, value ? 't' : 'f');
  }

  line(tsMs: number): string | null {
    return this.fields.length === 0 ? null : `${this.head} ${this.fields} ${Math.trunc(tsMs)}`;
  }
}

/** Quotes an InfluxQL identifier ("db"."rp"."measurement"): backslash and double quote get a backslash. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/[\\"]/g, '\\$&')}"`;
}

/** Quotes an InfluxQL string literal: backslash and single quote get a backslash; control characters are refused. */
export function quoteLiteral(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(value)) throw new Error('control characters are not allowed in InfluxQL literals');
  return `'${value.replace(/[\\']/g, '\\$&')}'`;
}
