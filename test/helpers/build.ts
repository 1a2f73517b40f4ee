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

/** package.json `scripts.start`'s command for the server: `[NAME=value …] node [--flag …] dist/rigline-server.js`. */
function serverStartCommand(): { env: Record<string, string>; flags: string[] } {
  const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start;
  const match = /(?:^|&& )((?:[A-Z_]+=\S+ )*)node((?: --[\w-]+(?:=\S+)?)*) dist\/rigline-server\.js$/.exec(start);
  if (!match) throw new Error(`package.json scripts.start does not run [NAME=value …] node … ${SERVER_BUNDLE}: ${start}`);
  const env = Object.fromEntries((match[1] ?? '').split(' ').filter(Boolean).map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]));
  return { env, flags: (match[2] ?? '').split(' ').filter(Boolean) };
}

/**
 * The Node/V8 flags `npm start` gives the server (package.json `scripts.start`, e.g. its young-generation size):
 * what benchmarks start the server with, so they measure it as it runs, and what every other start path (the image,
 * the bin) must give it too (test/unit/production-build.test.ts).
 */
export function serverNodeFlags(): string[] {
  return serverStartCommand().flags;
}

/** The environment `npm start` sets for the server (its malloc tuning, README "Hot path"): same use as the flags. */
export function serverStartEnv(): Record<string, string> {
  return serverStartCommand().env;
}
