import { readFileSync } from 'node:fs';
import { PlanInputError, runPlan } from './plan.js';
import { formatPlan } from './report.js';

const USAGE = 'usage: rigline-plan scenario.json [--json]';

/** `rigline-plan scenario.json [--json]`: the plan as tables, or the POST /api/plan answer as JSON. Exit 1 on bad input. */
export async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const files = argv.filter((a) => a !== '--json');
  if (files.length !== 1 || files[0]!.startsWith('-')) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const path = files[0] as string;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    process.stderr.write(`${path}: ${(err as Error).message}\n`);
    return 1;
  }
  try {
    const result = await runPlan(raw);
    process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : `${formatPlan(result)}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof PlanInputError)) throw err;
    process.stderr.write(err.problems.map((p) => `${path}: ${p}\n`).join(''));
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
