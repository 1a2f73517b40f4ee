import { escapeStringField } from './line-protocol.js';

const COMMA = 0x2c;
const EQUALS = 0x3d;
const SPACE = 0x20;
const NEWLINE = 0x0a;
const QUOTE = 0x22;
const MINUS = 0x2d;
const ZERO = 0x30;
const POW10 = [1, 10, 100, 1000, 10_000];
const INT32_LIMIT = 2 ** 31;

/** Decimal digits of 0 ≤ n < 10^16, by comparison (no division). */
function decimalLength(n: number): number {
  let length = 1;
  for (let bound = 10; n >= bound && length < 16; bound *= 10) length++;
  return length;
}
/** A slab with less room than this left is not written into again: a message starts in a fresh one. */
const MIN_LEFT = 64 * 1024;
/** Free slabs kept for reuse (of the standard size): 16 × 4 MiB by default. */
const POOL_SLABS = 16;

/**
 * One slab of bytes and the pieces of it still held (messages in the write buffer). Once the writer has moved on from
 * it and every piece is released, it goes back to the pool. Reusing slabs matters to the garbage collector, not to
 * malloc: V8 counts every new ArrayBuffer as external memory and, after some tens of megabytes of them, starts a full
 * mark-compact of the whole heap ("external memory pressure") to find the dead ones; at 20,000 samples a second that
 * was a full collection every few seconds for slabs alone.
 */
class Slab {
  held = 0;
  current = true;
  constructor(readonly bytes: Buffer) {}
}

/** A piece cut by take(): its bytes, and release(), to be called once when nothing will read them again. */
export interface Piece {
  body: Buffer;
  points: number;
  release: () => void;
}

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
  private slab: Slab;
  private readonly pool: Buffer[] = [];
  private pos = 0;
  private lineStart = 0;
  private hasFields = false;
  /** Points completed since the last take(). */
  points = 0;
  private lastTs = NaN;
  private lastTsBytes = new Uint8Array(0);

  constructor(private readonly slabBytes = 4 << 20) {
    this.slab = new Slab(Buffer.allocUnsafe(slabBytes));
    this.buf = this.slab.bytes;
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
    if (ts === this.lastTs) {
      // Every point of a sample, and often of a whole message, has the same time: copy its digits.
      this.room(this.lastTsBytes.length);
      this.buf.set(this.lastTsBytes, this.pos);
      this.pos += this.lastTsBytes.length;
    } else {
      const from = this.pos;
      if (Number.isSafeInteger(ts)) this.digits(ts);
      else this.ascii(String(ts));
      this.lastTs = ts;
      this.lastTsBytes = Uint8Array.from(this.buf.subarray(from, this.pos));
    }
    this.byte(NEWLINE);
    this.points++;
  }

  /**
   * What was written since the last take, as its own buffer; the writer starts over after it. No copy: the writer
   * hands out consecutive pieces of one slab and moves to a fresh slab when little is left. The slab is reused once
   * the writer has left it and every piece cut from it is released; a piece never released is simply collected
   * with its slab (encodeSample's strings), so a missing release costs a reuse, never bytes.
   */
  take(): Piece {
    const body = this.buf.subarray(0, this.pos);
    const points = this.points;
    const slab = this.slab;
    slab.held++;
    let released = false;
    const release = (): void => {
      if (released) return; // at most once: a second call must not free bytes another piece still uses
      released = true;
      slab.held--;
      this.recycle(slab);
    };
    if (this.buf.length - this.pos >= MIN_LEFT) this.buf = this.buf.subarray(this.pos);
    else this.startSlab(this.slabBytes);
    this.reset();
    return { body, points, release };
  }

  /**
   * Makes room for about `bytes` before a message is written: a message that would not fit in what is left of the
   * slab starts in a fresh one, instead of being copied when the slab runs out mid-message.
   */
  reserve(bytes: number): void {
    if (this.pos === 0 && this.buf.length < bytes) this.startSlab(Math.max(this.slabBytes, bytes * 2));
  }

  /** Free slabs waiting for reuse (for tests and stats). */
  get pooledSlabs(): number {
    return this.pool.length;
  }

  /** Leaves the current slab (it is reused once its pieces are released) for a pooled or fresh one of `bytes`. */
  private startSlab(bytes: number): void {
    const old = this.slab;
    old.current = false;
    this.recycle(old);
    const reused = bytes === this.slabBytes ? this.pool.pop() : undefined;
    this.slab = new Slab(reused ?? Buffer.allocUnsafe(bytes));
    this.buf = this.slab.bytes;
  }

  private recycle(slab: Slab): void {
    // Only standard slabs are pooled; one grown for a huge message is left to the collector.
    if (slab.current || slab.held > 0 || slab.bytes.length !== this.slabBytes || this.pool.length >= POOL_SLABS) return;
    this.pool.push(slab.bytes);
  }

  /** Where the writer stands now: rewind() to it forgets what was written after it (valid until the next take). */
  mark(): { pos: number; points: number } {
    return { pos: this.pos, points: this.points };
  }

  /** Forgets what was written after `mark` (an encoding that threw half-way through a message). */
  rewind(mark: { pos: number; points: number }): void {
    this.pos = this.lineStart = mark.pos;
    this.points = mark.points;
  }

  /** Bytes written since the last take. */
  get length(): number {
    return this.pos;
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
    // Counters (accepted shares, uptime) run past 2^31: the digits above the last eight first, then those eight.
    if (n >= INT32_LIMIT) {
      const high = Math.floor(n / 1e8);
      this.int32Digits(high, decimalLength(high));
      this.int32Digits(n - high * 1e8, 8);
    } else this.int32Digits(n, decimalLength(n));
  }

  /**
   * `length` decimal digits of 0 ≤ n < 2^31, zero-padded. In int32 arithmetic V8 turns the division by 10 into a
   * multiply and a shift, where the loop it replaces did two float divisions and two Math.floor calls a digit
   * (a sample's counters and uptime are ten digits each).
   */
  private int32Digits(n: number, length: number): void {
    let m = n | 0;
    for (let at = this.pos + length - 1; at >= this.pos; at--) {
      const q = (m / 10) | 0;
      this.buf[at] = ZERO + (m - q * 10);
      m = q;
    }
    this.pos += length;
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
      this.int32Digits(units % scale, k);
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
    // A message larger than what is left: copy what it has so far into a slab with room for it.
    const written = this.buf.subarray(0, this.pos);
    this.startSlab(Math.max(this.slabBytes, this.buf.length * 2, this.pos + bytes));
    written.copy(this.buf, 0);
  }
}
