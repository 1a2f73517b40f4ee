import { escapeStringField } from './line-protocol.js';

const COMMA = 0x2c;
const EQUALS = 0x3d;
const SPACE = 0x20;
const NEWLINE = 0x0a;
const QUOTE = 0x22;
const MINUS = 0x2d;
const ZERO = 0x30;
const POW10 = [1, 10, 100, 1000, 10_000];
/** A slab with less room than this left is not written into again: a message starts in a fresh one. */
const MIN_LEFT = 64 * 1024;

/**
 * Writes line protocol (https://docs.influxdata.com/influxdb/v1/write_protocols/line_protocol_reference/) straight
 * into UTF-8 bytes: the ingest hot path's encoder. It writes exactly what PointBuilder (line-protocol.ts) writes,
 * byte for byte (test/unit/influx-line-writer.test.ts holds them to it), without building a string per field and
 * joining them: on the hot path that string building, the join and the UTF-8 encoding were half the server's CPU per
 * sample. Series heads come ready-made (seriesHead, memoised per rig); field keys are schema constants (ASCII).
 *
 * Every line ends with a newline, so pieces cut one after another from the same slab (take()) are themselves a valid
 * body when sent together, without a copy (write-buffer.ts batchBody).
 */
export class LineWriter {
  private buf: Buffer;
  private pos = 0;
  private lineStart = 0;
  private hasFields = false;
  /** Points completed since the last take(). */
  points = 0;

  constructor(private readonly slabBytes = 1 << 20) {
    this.buf = Buffer.allocUnsafe(slabBytes);
  }

  /** Starts a point with its series head (`measurement,tag=value,…`, already escaped). */
  point(head: string): this {
    this.lineStart = this.pos;
    this.text(head);
    this.byte(SPACE);
    this.hasFields = false;
    return this;
  }

  /** Floats in JavaScript's shortest round-trip form, as PointBuilder writes them; non-finite values are left out. */
  float(key: string, value: number | null | undefined): this {
    if (value === null || value === undefined || !Number.isFinite(value)) return this;
    this.key(key);
    if (Number.isSafeInteger(value)) this.digits(value);
    else if (!this.shortDecimal(value)) this.ascii(String(value));
    return this;
  }

  int(key: string, value: number | null | undefined): this {
    if (value === null || value === undefined || !Number.isSafeInteger(value)) return this;
    this.key(key);
    this.digits(value);
    this.byte(0x69); // 'i'
    return this;
  }

  str(key: string, value: string | null | undefined): this {
    if (value === null || value === undefined) return this;
    this.key(key);
    this.byte(QUOTE);
    this.text(escapeStringField(value));
    this.byte(QUOTE);
    return this;
  }

  bool(key: string, value: boolean | null | undefined): this {
    if (value === null || value === undefined) return this;
    this.key(key);
    this.byte(value ? 0x74 : 0x66); // 't' / 'f'
    return this;
  }

  /** Ends the point with its time (ms); a point without fields is invalid in line protocol and is taken back. */
  end(tsMs: number): void {
    if (!this.hasFields) {
      this.pos = this.lineStart;
      return;
    }
    this.byte(SPACE);
    const ts = Math.trunc(tsMs);
    if (Number.isSafeInteger(ts)) this.digits(ts);
    else this.ascii(String(ts));
    this.byte(NEWLINE);
    this.points++;
  }

  /**
   * What was written since the last take, as its own buffer; the writer starts over after it. No copy: the writer
   * hands out consecutive pieces of one slab and moves to a fresh slab when little is left (a slab is freed once
   * every message cut from it has been written to the database).
   */
  take(): { body: Buffer; points: number } {
    const body = this.buf.subarray(0, this.pos);
    const points = this.points;
    const left = this.buf.length - this.pos;
    this.buf = left >= MIN_LEFT ? this.buf.subarray(this.pos) : Buffer.allocUnsafe(Math.max(this.slabBytes, this.pos * 2));
    this.reset();
    return { body, points };
  }

  /**
   * Makes room for about `bytes` before a message is written: a message that would not fit in what is left of the
   * slab starts in a fresh one, instead of being copied when the slab runs out mid-message.
   */
  reserve(bytes: number): void {
    if (this.pos === 0 && this.buf.length < bytes) this.buf = Buffer.allocUnsafe(Math.max(this.slabBytes, bytes * 2));
  }

  /** Forgets what was written since the last take. */
  reset(): void {
    this.pos = this.lineStart = 0;
    this.points = 0;
  }

  private key(key: string): void {
    this.room(key.length + 2);
    if (this.hasFields) this.buf[this.pos++] = COMMA;
    this.hasFields = true;
    for (let i = 0; i < key.length; i++) this.buf[this.pos++] = key.charCodeAt(i);
    this.buf[this.pos++] = EQUALS;
  }

  private byte(b: number): void {
    this.room(1);
    this.buf[this.pos++] = b;
  }

  /** Decimal digits of a safe integer, as String() writes it. */
  private digits(n: number): void {
    this.room(17);
    if (n < 0) {
      this.buf[this.pos++] = MINUS;
      n = -n;
    }
    if (n < 10) {
      this.buf[this.pos++] = ZERO + n;
      return;
    }
    let end = this.pos;
    for (let m = n; m >= 1; m = Math.floor(m / 10)) end++;
    this.pos = end;
    for (let m = n; m >= 1; m = Math.floor(m / 10)) this.buf[--end] = ZERO + (m % 10);
  }

  /**
   * Most telemetry has a few decimals (95.12 TH/s, 71.5 °C), and String() spends most of the encoder's time finding
   * a float's shortest form. When some decimal with k ≤ 4 fraction digits, r / 10^k, is the same double as `value`
   * (division is correctly rounded, so it is exactly the double that text parses to), that decimal is written: for
   * |value| < 1e9 the doubles are far closer together than 10^-4, so at most one k-digit decimal maps to `value`,
   * and the smallest such k gives the digits String() gives (ECMA-262 Number::toString). Else returns false.
   */
  private shortDecimal(value: number): boolean {
    const magnitude = Math.abs(value);
    if (magnitude >= 1e9 || magnitude < 1e-4) return false;
    for (let k = 1; k <= 4; k++) {
      const scale = POW10[k] as number;
      const r = Math.round(value * scale);
      if (r / scale !== value) continue;
      const units = Math.abs(r);
      if (value < 0) this.byte(MINUS);
      this.digits(Math.floor(units / scale));
      this.room(k + 1);
      this.buf[this.pos++] = 0x2e; // '.'
      let fraction = units % scale;
      for (let i = this.pos + k - 1; i >= this.pos; i--) {
        this.buf[i] = ZERO + (fraction % 10);
        fraction = Math.floor(fraction / 10);
      }
      this.pos += k;
      return true;
    }
    return false;
  }

  /** A string known to be ASCII (number forms). */
  private ascii(s: string): void {
    this.room(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i);
  }

  /** Any string, as UTF-8: ASCII byte by byte, the rest through Buffer#write (surrogate pairs kept whole). */
  private text(s: string): void {
    this.room(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.room((s.length - i) * 3);
        this.pos += this.buf.write(s.slice(i), this.pos, 'utf8');
        return;
      }
      this.buf[this.pos++] = c;
    }
  }

  private room(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.slabBytes, this.buf.length * 2, this.pos + bytes));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }
}
