import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SOURCES = ['web/src', 'web/index.html', 'web/vite.config.ts', 'server/contract'];

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newestMtime(join(path, name))), stat.mtimeMs);
}

/**
 * Builds the web app (vite build) when web/dist is missing or older than any web source, so browser tests and
 * benchmarks always drive the code in the checkout.
 */
export function ensureWebBuild(): void {
  const index = 'web/dist/index.html';
  const fresh = existsSync(index) && statSync(index).mtimeMs >= Math.max(...SOURCES.filter(existsSync).map(newestMtime));
  if (fresh) return;
  const result = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`vite build failed:\n${result.stdout}\n${result.stderr}`);
}
