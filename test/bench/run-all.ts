import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTable, readTargets, SUMMARY_ENV } from './lib/summary.js';

/**
 * `npm run bench`: runs every benchmark in this folder in turn (each prints its own figures), or only those named
 * on the command line (`npm run bench -- planner ingest`), then prints ONE table: every target a benchmark
 * measured, its value, met or not. A benchmark that fails or overruns BENCH_TIMEOUT_S (default 900 s) gets a row
 * saying so. Exits non-zero if any benchmark failed to run or any target was missed.
 */
const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const timeoutS = Number(process.env.BENCH_TIMEOUT_S ?? 900);
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run-all.ts')
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();

const dir = mkdtempSync(join(tmpdir(), 'rigline-bench-summary-'));
const summary = join(dir, 'targets.jsonl');
const problems: string[][] = [];
const started = performance.now();
for (const file of benches) {
  console.log(`\n=== ${file} ===`);
  const t0 = performance.now();
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(here, file)], {
    stdio: 'inherit',
    env: { ...process.env, [SUMMARY_ENV]: summary },
    timeout: timeoutS * 1000,
    killSignal: 'SIGTERM',
  });
  const seconds = ((performance.now() - t0) / 1000).toFixed(0);
  if (result.status !== 0) {
    const why = result.error ? `${result.error.message}` : `exited with ${result.status ?? result.signal}`;
    console.error(`${file} ${why}`);
    problems.push([file.replace(/\.ts$/, ''), 'benchmark runs to the end', `${why} after ${seconds} s`, 'NO']);
  }
}

const targets = readTargets(summary);
rmSync(dir, { recursive: true, force: true });
const rows = [...targets.map((t) => [t.bench, t.target, t.value, t.met ? 'yes' : 'NO']), ...problems];
const missed = rows.filter((r) => r[3] === 'NO').length;
console.log(`\n=== summary: ${benches.length - problems.length} of ${benches.length} benchmarks ran in ${((performance.now() - started) / 1000).toFixed(0)} s; ${rows.length - missed} of ${rows.length} targets met ===\n`);
console.log(formatTable(['benchmark', 'target', 'measured', 'met'], rows));
process.exit(missed > 0 ? 1 : 0);
