/**
 * Repairs the almost-JSON that cgminer-family firmware sends, so a reply parses instead of being lost.
 *
 * Quirks seen in the field (and handled by other fleet tools such as pyasic):
 * - `}{` between objects when the firmware concatenates sections without a comma,
 * - trailing commas: `,}` / `,]`, and a leading one: `[,{`,
 * - raw newlines, tabs and other control characters inside strings,
 * - bare `nan`, `inf`, `-inf` (C printf of a float) where a number should be,
 * - escapes JSON does not know (`\'`, `\x`…),
 * - the NUL terminator cgminer appends (API-README: "the reply is terminated by a null byte") and anything after
 *   the last closing bracket.
 *
 * The repair walks the text once and tracks whether it is inside a string, so string contents are never altered
 * except to escape what JSON forbids there.
 */
export function repairJson(input: string): string {
  const text = trimToDocument(input);
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (inString) {
      if (ch === '\\') {
        const next = text[i + 1];
        if (next !== undefined && '"\\/bfnrtu'.includes(next)) {
          if (next === 'u' && !/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            out += '\\\\';
            continue;
          }
          out += ch + next;
          i++;
        } else if (next === "'") {
          out += "'";
          i++;
        } else {
          // Unknown escape: keep the backslash as a literal character.
          out += '\\\\';
        }
        continue;
      }
      if (ch === '"') {
        inString = false;
        out += ch;
        continue;
      }
      const code = ch.charCodeAt(0);
      if (code < 0x20) {
        out += controlEscape(ch);
        continue;
      }
      out += ch;
      continue;
    }
    if (ch === '"') {
      inString = true;
      out += ch;
      continue;
    }
    if (ch === ',') {
      const next = nextSignificant(text, i + 1);
      // Trailing comma before a closing bracket, or a doubled comma: drop it.
      if (next === '}' || next === ']' || next === ',') continue;
      const prev = lastSignificant(out);
      if (prev === '[' || prev === '{') continue;
      out += ch;
      continue;
    }
    if (ch === '}' || ch === ']') {
      out += ch;
      // `}{` or `]{` between values with no comma.
      const next = nextSignificant(text, i + 1);
      if (next === '{' || next === '[' || next === '"') out += ',';
      continue;
    }
    const bare = bareNonFinite(text, i);
    if (bare) {
      out += 'null';
      i += bare - 1;
      continue;
    }
    if (ch.charCodeAt(0) < 0x20 && ch !== '\n' && ch !== '\r' && ch !== '\t') continue;
    out += ch;
  }
  return out;
}

/**
 * Parses a miner reply: strict JSON first (most firmware is fine), the repaired text when that fails. Throws an
 * Error naming the first bytes of the reply when even the repaired text does not parse.
 */
export function parseMinerJson(input: string | Buffer): unknown {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  const stripped = stripTerminator(text);
  try {
    return JSON.parse(stripped);
  } catch {
    const repaired = repairJson(stripped);
    try {
      return JSON.parse(repaired);
    } catch (error) {
      const merged = mergeConcatenated(repaired);
      if (merged !== undefined) return merged;
      const head = [...stripped.slice(0, 80)].map((c) => (c.charCodeAt(0) < 0x20 ? ' ' : c)).join('');
      throw new Error(`reply is not JSON even after repair (${(error as Error).message}); starts with: ${head}`, {
        cause: error,
      });
    }
  }
}

/**
 * Some firmware sends several top-level objects back to back (`{…}{…}`, a comma after repair). Each carries its own
 * section keys, so they merge into one reply object.
 */
function mergeConcatenated(repaired: string): Record<string, unknown> | undefined {
  try {
    const parts: unknown = JSON.parse(`[${repaired}]`);
    if (!Array.isArray(parts) || !parts.every((p) => typeof p === 'object' && p !== null && !Array.isArray(p))) {
      return undefined;
    }
    return Object.assign({}, ...(parts as Record<string, unknown>[])) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function stripTerminator(text: string): string {
  const nul = text.indexOf('\u0000');
  return (nul >= 0 ? text.slice(0, nul) : text).trim();
}

/**
 * Cuts the NUL terminator, anything before the first bracket, and garbage after the document: the text ends where
 * the brackets opened by the document balance out (documents sent back to back are kept together).
 */
function trimToDocument(text: string): string {
  const stripped = stripTerminator(text);
  const start = stripped.search(/[[{]/);
  if (start < 0) return stripped;
  let depth = 0;
  let inString = false;
  let end = -1;
  for (let i = start; i < stripped.length; i++) {
    const ch = stripped[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0) {
        end = i;
        const next = nextSignificant(stripped, i + 1);
        if (next !== '{' && next !== '[') break;
      }
    }
  }
  return end < 0 ? stripped.slice(start) : stripped.slice(start, end + 1);
}

function controlEscape(ch: string): string {
  switch (ch) {
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default:
      return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
  }
}

function nextSignificant(text: string, from: number): string | undefined {
  for (let i = from; i < text.length; i++) {
    const ch = text[i] as string;
    if (!/\s/.test(ch)) return ch;
  }
  return undefined;
}

function lastSignificant(text: string): string | undefined {
  for (let i = text.length - 1; i >= 0; i--) {
    const ch = text[i] as string;
    if (!/\s/.test(ch)) return ch;
  }
  return undefined;
}

/** Length of a bare `nan` / `inf` / `-inf` / `infinity` token at `i` in value position, else 0. */
function bareNonFinite(text: string, i: number): number {
  const match = /^-?(?:nan|inf(?:inity)?)(?![A-Za-z0-9_])/i.exec(text.slice(i, i + 10));
  if (!match) return 0;
  const prev = lastSignificantBefore(text, i);
  if (prev !== ':' && prev !== ',' && prev !== '[') return 0;
  return match[0].length;
}

function lastSignificantBefore(text: string, i: number): string | undefined {
  for (let j = i - 1; j >= 0; j--) {
    const ch = text[j] as string;
    if (!/\s/.test(ch)) return ch;
  }
  return undefined;
}
