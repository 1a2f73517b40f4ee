#!/usr/bin/env node
// The production build (`npm run build`): compiles the server, the CLIs and the agent from TypeScript to JavaScript
// with esbuild, so nothing runs through tsx or esbuild at run time.
//
//   dist/rigline-server.js      server and credential CLI (server/cli.ts); node_modules stay external
//   dist/rigline-plan.js        planner CLI (server/planner/cli.ts)
//   dist/rigline-sim.js         simulated fleet publisher (agents/sim/main.ts)
//   dist/bin/plan-worker.js     the planner's worker thread: PlannerRunner loads `./bin/plan-worker.js` relative to
//                               the module that runs it, which in the build is dist/<program>.js
//   dist/agent/rigline-agent.cjs  the agent as ONE self-contained file (every dependency bundled, CommonJS so the
//                               same file feeds a Node single-executable build): a rig host needs node and this file
//   dist/**/*.map               source maps beside the programs (`node --enable-source-maps`); never served
//   dist/web-maps/              the web app's source maps, moved out of web/dist (see moveWebMaps)
//
// `node config/build.mjs` builds the programs; `--web-maps` also moves the web app's source maps out of web/dist
// (run after `vite build`, as `npm run build` does).
/* global process, console, performance */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

/** Options every program shares: Node 20, source maps beside the output (dist/ is never served). */
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
};

/** Server-side programs: our code bundled, npm packages loaded from node_modules (native and wasm ones included). */
async function buildServerPrograms() {
  await build({
    ...common,
    entryPoints: {
      'rigline-server': 'server/cli.ts',
      'rigline-plan': 'server/planner/cli.ts',
      'rigline-sim': 'agents/sim/main.ts',
      'bin/plan-worker': 'server/planner/worker.ts',
    },
    outdir: dist,
    format: 'esm',
    packages: 'external',
  });
}

/**
 * Optional packages the agent's dependencies try to `require` inside try/catch: ws (mqtt's WebSocket transport)
 * its native speedups `bufferutil` and `utf-8-validate`, debug (mqtt's) `supports-color`. Bundled as modules that
 * throw, each takes its fallback and the file needs nothing from disk (a single executable's require() loads
 * built-ins only).
 */
const optionalNativeStub = {
  name: 'optional-native-stub',
  setup(b) {
    b.onResolve({ filter: /^(bufferutil|utf-8-validate|supports-color)$/ }, (args) => ({ path: args.path, namespace: 'optional-native' }));
    b.onLoad({ filter: /.*/, namespace: 'optional-native' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path} is not bundled: the pure-JS fallback is used`)});`,
      loader: 'js',
    }));
  },
};

/**
 * zod's `z` namespace re-exports every locale's error messages (about 250 KB minified), which no tree shaking can
 * drop. The agent reports config problems in English: its bundle gets zod's locale index with `en` alone.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer) ? { path: join(dirname(args.importer), '..', 'locales', 'en.js'), namespace: 'zod-en' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-en' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
};

/**
 * server/contract/ modules only declare schemas and helpers. Marked free of side effects, the agent's bundle leaves
 * out the ones it never uses (REST shapes, socket events, alerts), so their zod schemas are never built at start.
 */
const pureContract = {
  name: 'pure-contract',
  setup(b) {
    b.onResolve({ filter: /\.js$/ }, async (args) => {
      if (args.pluginData === 'pure-contract') return undefined;
      const result = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: 'pure-contract' });
      if (result.errors.length > 0 || !/[\\/]server[\\/]contract[\\/]/.test(result.path)) return undefined;
      return { ...result, sideEffects: false };
    });
  },
};

/**
 * The agent: every dependency inside one minified CommonJS file, so it installs without the repository or npm.
 * CommonJS because Node 20's single-executable applications run only a CommonJS script.
 */
async function buildAgent() {
  await build({
    ...common,
    entryPoints: ['agents/cli.ts'],
    outfile: join(dist, 'agent', 'rigline-agent.cjs'),
    format: 'cjs',
    minify: true,
    // Keeps function names in stack traces and in the maps.
    keepNames: true,
    plugins: [optionalNativeStub, zodEnglishOnly, pureContract],
  });
}

/**
 * Moves the web app's source maps (vite writes them 'hidden': no sourceMappingURL in the served files) from web/dist
 * to dist/web-maps, so not one of them lies where the server serves files. Kept for decoding browser stack traces.
 */
function moveWebMaps(from = join(root, 'web', 'dist')) {
  for (const name of readdirSync(from)) {
    const path = join(from, name);
    if (statSync(path).isDirectory()) moveWebMaps(path);
    else if (name.endsWith('.map')) {
      const target = join(dist, 'web-maps', relative(join(root, 'web', 'dist'), path));
      mkdirSync(dirname(target), { recursive: true });
      renameSync(path, target);
    }
  }
}

const started = performance.now();
rmSync(dist, { recursive: true, force: true });
await Promise.all([buildServerPrograms(), buildAgent()]);
if (process.argv.includes('--web-maps') && existsSync(join(root, 'web', 'dist'))) moveWebMaps();
if (!process.argv.includes('--quiet')) console.log(`build: dist/ in ${Math.round(performance.now() - started)} ms`);
