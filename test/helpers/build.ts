import { spawnSync } from 'node:child_process';

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
