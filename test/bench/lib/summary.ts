import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

/**
 * Benchmark targets, collected for the one table `npm run bench` ends with (run-all.ts). Each benchmark calls
 * `target()` for every target it measures; it prints the verdict at once and, under run-all, appends one JSON line
 * to the file named by BENCH_SUMMARY_FILE.
 */
export interface TargetRow {
  bench: string;
  target: string;
  /** The measured figure, with its unit. */
  value: string;
  met: boolean;
}

export const SUMMARY_ENV = 'BENCH_SUMMARY_FILE';

export function target(name: string, value: string, met: boolean): void {
  const bench = basename(process.argv[1] ?? 'bench', '.ts');
  console.log(`  target ${name}: ${value} — ${met ? 'met' : 'NOT met'}`);
  const file = process.env[SUMMARY_ENV];
  if (file) appendFileSync(file, `${JSON.stringify({ bench, target: name, value, met } satisfies TargetRow)}\n`);
}

export function readTargets(file: string): TargetRow[] {
  if (!existsSync(file)) return []; // no benchmark measured a target
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as TargetRow);
}

/** A plain-text table, columns padded to their widest cell. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
