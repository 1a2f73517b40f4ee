import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The built programs (config/build.mjs): what `npm start`, the bins, the images and a rig host run. */
export const SERVER_BUNDLE = 'dist/rigline-server.js';
export const PLAN_BUNDLE = 'dist/rigline-plan.js';
export const AGENT_BUNDLE = 'dist/agent/rigline-agent.cjs';

/**
 * Compiles server, CLIs and agent to dist/ (esbuild, a few seconds), so tests and benchmarks that start programs
 * run the code in the checkout as it ships, never a stale build. Runs once per test run (test/global-setup.ts).
 */
export function buildPrograms(): void {
  const result = spawnSync(process.execPath, ['config/build.mjs', '--quiet'], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`build failed (node config/build.mjs):\n${result.stdout}\n${result.stderr}`);
}

/**
 * The Node/V8 flags `npm start` gives the server (package.json `scripts.start`, e.g. its young-generation size):
 * what benchmarks start the server with, so they measure it as it runs, and what every other start path (the image,
 * the bin) must give it too (test/unit/production-build.test.ts).
 */
export function serverNodeFlags(): string[] {
  const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start;
  const flags = /\bnode((?: --[\w-]+(?:=\S+)?)*) dist\/rigline-server\.js$/.exec(start)?.[1];
  if (flags === undefined) throw new Error(`package.json scripts.start does not run node … ${SERVER_BUNDLE}: ${start}`);
  return flags.split(' ').filter(Boolean);
}
