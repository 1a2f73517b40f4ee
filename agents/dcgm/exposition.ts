/**
 * Parser for the Prometheus text exposition format, version 0.0.4 (prometheus.io/docs/instrumenting/
 * exposition_formats): `name{label="value",...} value [timestamp]`, '#' comments (HELP/TYPE), label values with
 * \\, \" and \n escapes, and the float spellings NaN, +Inf, -Inf. Histograms and summaries arrive as plain
 * `_bucket`/`_sum`/`_count` lines and are returned as such. A malformed line is skipped and counted, never fatal.
 */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: PromSample[];
  /** Lines that could not be parsed. */
  malformed: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

function parseValue(raw: string): number | null {
  if (raw === 'NaN') return NaN;
  if (raw === '+Inf' || raw === 'Inf') return Infinity;
  if (raw === '-Inf') return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) return null;
  return Number(raw);
}

/** Parses `{a="x",b="y"}` starting at `line[start] === '{'`; returns the labels and the index after '}'. */
function parseLabels(line: string, start: number): { labels: Record<string, string>; end: number } | null {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    while (line[i] === ' ' || line[i] === ',') i++;
    if (line[i] === '}') return { labels, end: i + 1 };
    const name = LABEL_NAME.exec(line.slice(i));
    if (!name) return null;
    i += name[0].length;
    while (line[i] === ' ') i++;
    if (line[i] !== '=') return null;
    i++;
    while (line[i] === ' ') i++;
    if (line[i] !== '"') return null;
    i++;
    let value = '';
    for (;;) {
      const c = line[i];
      if (c === undefined) return null;
      if (c === '"') break;
      if (c === '\\') {
        const next = line[i + 1];
        value += next === 'n' ? '\n' : (next ?? '');
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    labels[name[0]] = value;
    i++;
  }
}

export function parseExposition(text: string): Exposition {
  const samples: PromSample[] = [];
  let malformed = 0;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const name = NAME.exec(line);
    if (!name) {
      malformed++;
      continue;
    }
    let i = name[0].length;
    let labels: Record<string, string> = {};
    if (line[i] === '{') {
      const parsed = parseLabels(line, i);
      if (!parsed) {
        malformed++;
        continue;
      }
      labels = parsed.labels;
      i = parsed.end;
    }
    const [valueText] = line.slice(i).trim().split(/\s+/);
    const value = valueText === undefined ? null : parseValue(valueText);
    if (value === null) {
      malformed++;
      continue;
    }
    samples.push({ name: name[0], labels, value });
  }
  return { samples, malformed };
}
