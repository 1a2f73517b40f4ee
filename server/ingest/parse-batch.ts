/**
 * JSON.parse of a site controller's batch, sample by sample. A controller's message is about a megabyte
 * (`{"schema":1,"samples":[…]}`, ~930 bytes a sample), and turning it into one string costs more than parsing it:
 * V8 puts a string that large in its large-object space (~4 µs a sample on this machine against ~0.9 µs for the
 * same bytes as one string per sample, `npm run bench:hotpath`), and strings parsed out of it may keep the whole
 * megabyte alive while the fleet state holds the sample.
 *
 * The agents write a batch in exactly one form (agents/publisher/publisher.ts: `JSON.stringify({ schema, samples })`
 * of contract samples, each starting with `"schema"`), so the payload is cut where one sample ends and the next
 * begins, `},{"schema":`, and each piece is parsed alone. That sequence can only be such a boundary in valid JSON:
 * inside a JSON string a `"` is always escaped (RFC 8259 §7), so the unescaped `{"` cannot be string content. The cut
 * bytes are ASCII, so no UTF-8 sequence is split and each piece decodes as it would within the whole.
 *
 * The result is always what `JSON.parse(payload.toString())` returns: the payload is the fixed head, the pieces joined
 * by commas and the fixed tail, so when every piece is one JSON value the whole is that array in that envelope.
 * Anything else (another key order, whitespace, a piece that is not exactly one JSON value, an empty batch) answers
 * null and the caller parses the whole payload as before, which also words any error.
 */
const HEAD = Buffer.from('{"schema":1,"samples":[');
const SEPARATOR = Buffer.from('},{"schema":');
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

export function parseBatchBySample(payload: Buffer): { schema: 1; samples: unknown[] } | null {
  const end = payload.length - 2;
  if (end <= HEAD.length || payload[end] !== CLOSE_BRACKET || payload[end + 1] !== CLOSE_BRACE) return null;
  if (payload.compare(HEAD, 0, HEAD.length, 0, HEAD.length) !== 0) return null;
  const samples: unknown[] = [];
  let start = HEAD.length;
  try {
    for (;;) {
      const cut = payload.indexOf(SEPARATOR, start);
      if (cut === -1 || cut >= end) break;
      samples.push(JSON.parse(payload.toString('utf8', start, cut + 1)));
      start = cut + 2; // the next piece starts at its own `{"schema":`
    }
    samples.push(JSON.parse(payload.toString('utf8', start, end)));
  } catch {
    return null;
  }
  return { schema: 1, samples };
}
