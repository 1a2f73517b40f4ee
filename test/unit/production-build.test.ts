import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { childrenByName, procSample } from '../bench/lib/proc.js';
import { AGENT_BUNDLE, SERVER_BUNDLE, serverNodeFlags, serverStartEnv } from '../helpers/build.js';
import { hasService } from '../helpers/services.js';
import { waitFor } from '../helpers/server.js';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  version: string;
  scripts: Record<string, string>;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** Bare package names a built file imports (static, dynamic and require), `node:` built-ins left out. */
function packagesImported(file: string): Set<string> {
  const code = readFileSync(file, 'utf8');
  const names = new Set<string>();
  const specifiers = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)["'](@?[a-z0-9][\w.-]*(?:\/[\w.-]+)*)["']/g;
  for (const [, spec] of code.matchAll(specifiers)) {
    if (spec === undefined || spec.startsWith('node:') || builtinModules.includes(spec)) continue;
    const parts = spec.split('/');
    names.add(spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] as string));
  }
  return names;
}

/** The stages of a Dockerfile: each FROM and the instructions under it. */
function stages(dockerfile: string): { from: string; lines: string[] }[] {
  const out: { from: string; lines: string[] }[] = [];
  const joined = readFileSync(dockerfile, 'utf8').replace(/\\\n/g, ' ');
  for (const line of joined.split('\n').map((l) => l.trim())) {
    if (line === '' || line.startsWith('#')) continue;
    if (/^FROM\s/i.test(line)) out.push({ from: line, lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
}

describe('the production build (npm run build, config/build.mjs)', () => {
  const programs = readdirSync('dist').filter((f) => f.endsWith('.js')).map((f) => join('dist', f));

  it('npm start runs the compiled server; the bins launch dist/; development keeps tsx watch', () => {
    expect(pkg.scripts.start).toMatch(/^npm run build --silent && ([A-Z_]+=\S+ )*node (--[\w-]+(=\S+)? )*dist\/rigline-server\.js$/);
    expect(pkg.scripts.build).toContain('config/build.mjs');
    expect(pkg.scripts.dev).toContain('tsx watch');
    expect(pkg.dependencies).not.toHaveProperty('tsx');
    for (const bin of Object.values(pkg.bin)) {
      const shim = readFileSync(bin, 'utf8').replace(/^\s*\/\/.*$/gm, ''); // code, not comments
      expect(shim, bin).not.toMatch(/tsx|\.ts['"]/);
      expect(shim, bin).toMatch(/launch\('[\w/.-]+\.c?js'/);
    }
  });

  it('every start path gives the server the heap flags npm start gives it (its young-generation size)', () => {
    // README "Hot path": without a larger young generation V8's helper threads spent ~10 µs a sample promoting batches.
    const heap = serverNodeFlags().filter((f) => /^--(min|max)-semi-space-size=\d+$/.test(f));
    expect(heap.length).toBeGreaterThan(0);
    const cmd = stages('config/Dockerfile').at(-1)?.lines.find((l) => /^CMD\s/.test(l)) ?? '[]';
    const image = JSON.parse(cmd.replace(/^CMD\s+/, '')) as string[];
    expect(image.slice(0, image.indexOf(SERVER_BUNDLE))).toEqual(expect.arrayContaining(['node', ...heap]));
    const shebang = (readFileSync(pkg.bin['rigline-server'] as string, 'utf8').split('\n')[0] as string).split(' ');
    expect(shebang.slice(0, 2)).toEqual(['#!/usr/bin/env', '-S']);
    expect(shebang.slice(shebang.indexOf('node'))).toEqual(expect.arrayContaining(heap));
    expect(pkg.scripts['rigline-server']?.split(' ')).toEqual(expect.arrayContaining(heap));
  });

  it('every start path gives the server the malloc tuning npm start gives it (pages kept for the next 1 MB message)', () => {
    // README "Hot path": without it each site controller's message faulted ~1 MB of fresh pages in, ~16 µs a page here.
    const env = serverStartEnv();
    const tunables = env.GLIBC_TUNABLES ?? '';
    expect(tunables).toMatch(/glibc\.malloc\.trim_threshold=\d+/);
    expect(tunables).toMatch(/glibc\.malloc\.mmap_threshold=\d+/);
    const assignment = `GLIBC_TUNABLES=${tunables}`;
    expect(stages('config/Dockerfile').at(-1)?.lines).toContain(`ENV ${assignment}`);
    const shebang = (readFileSync(pkg.bin['rigline-server'] as string, 'utf8').split('\n')[0] as string).split(' ');
    expect(shebang.slice(0, 4)).toEqual(['#!/usr/bin/env', '-S', assignment, 'node']);
    expect(pkg.scripts['rigline-server']?.split(' ')[0]).toBe(assignment);
  });

  it('the built server, CLIs and worker import only production dependencies, never tsx or esbuild', () => {
    expect(programs).toEqual(expect.arrayContaining(['dist/rigline-server.js', 'dist/rigline-plan.js', 'dist/rigline-sim.js']));
    // The scan sees the externals (node_modules stay outside the server bundle).
    expect([...packagesImported(SERVER_BUNDLE)]).toEqual(expect.arrayContaining(['express', 'mqtt', 'prom-client', 'compression']));
    for (const file of [...programs, 'dist/bin/plan-worker.js']) {
      for (const name of packagesImported(file)) {
        expect(pkg.dependencies, `${file} imports ${name}`).toHaveProperty([name]);
      }
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/\btsx\/esm|from ["']esbuild["']/);
    }
  });

  it('the agent is one self-contained file: no package from node_modules at run time', () => {
    expect(packagesImported(AGENT_BUNDLE)).toEqual(new Set());
    const version = spawnSync(process.execPath, [AGENT_BUNDLE, '--version'], { encoding: 'utf8' });
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe(pkg.version);
  });

  it('runs from the runtime image\'s files alone (dist, web/dist, config, node_modules): no tsx or esbuild process', { timeout: 60_000 }, async () => {
    // The Dockerfile's runtime stage, as a folder: no sources next to the build.
    const app = mkdtempSync(join(tmpdir(), 'rigline-runtime-'));
    try {
      cpSync('dist', join(app, 'dist'), { recursive: true });
      mkdirSync(join(app, 'config'));
      cpSync('config/rigline.yaml', join(app, 'config', 'rigline.yaml'));
      cpSync('package.json', join(app, 'package.json'));
      symlinkSync(resolve('node_modules'), join(app, 'node_modules'));
      const child = spawn(process.execPath, [...serverNodeFlags(), SERVER_BUNDLE], {
        cwd: app,
        env: { ...process.env, ...serverStartEnv(), PORT: '0', MQTT_PORT: '0', SIM_SITES: '1', SIM_RIGS_PER_SITE: '2', LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      try {
        const url = await waitFor(() => /rigline is running: (http:\/\/\S+)/.exec(out)?.[1], 30_000, `the built server to start (${out})`);
        const health = (await (await fetch(`${url}/api/health`)).json()) as { status: string };
        expect(health.status).toBe('ok');
        const children = [...childrenByName(child.pid as number).keys()];
        expect(children.filter((name) => /tsx|esbuild/.test(name))).toEqual([]);
        const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
        expect(cmdline).not.toContain('tsx');
        expect(procSample(child.pid as number)?.rssMiB).toBeGreaterThan(0);
      } finally {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });
});

describe('Docker images (config/Dockerfile, config/agent.Dockerfile)', () => {
  for (const [file, program] of [
    ['config/Dockerfile', 'dist/rigline-server.js'],
    ['config/agent.Dockerfile', '/opt/rigline-agent/rigline-agent.cjs'],
  ] as const) {
    it(`${file}: multi-stage, compiled JavaScript only, non-root`, () => {
      const all = stages(file);
      expect(all.length).toBeGreaterThanOrEqual(2);
      const [build, runtime] = [all[0], all.at(-1)] as [(typeof all)[0], (typeof all)[0]];
      expect(build.from).toMatch(/\bAS build$/i);
      expect(build.lines.some((l) => /^RUN npm ci\b/.test(l))).toBe(true);
      // The runtime stage installs nothing and copies only from the build stage.
      expect(runtime.lines.filter((l) => /^COPY\s/.test(l)).every((l) => l.includes('--from=build'))).toBe(true);
      expect(runtime.lines.some((l) => /^RUN .*npm (ci|install)/.test(l))).toBe(false);
      const user = runtime.lines.filter((l) => /^USER\s/.test(l)).at(-1);
      expect(user).toBeDefined();
      expect(user).not.toMatch(/^USER\s+(root|0)(:|$)/);
      const start = runtime.lines.filter((l) => /^(CMD|ENTRYPOINT)\s/.test(l)).join(' ');
      expect(start).toContain(program);
      expect(start).not.toMatch(/tsx|npx|esbuild|\.ts"/);
    });
  }

  it('the server image drops dev dependencies, can build native addons, and has a healthcheck', () => {
    const [build, runtime] = [stages('config/Dockerfile')[0], stages('config/Dockerfile').at(-1)] as const;
    expect(build?.lines.join('\n')).toMatch(/npm prune --omit=dev/);
    expect(build?.lines.join('\n')).toMatch(/apt-get install[^\n]*python3[^\n]*make[^\n]*g\+\+/);
    expect(runtime?.lines.some((l) => /^HEALTHCHECK\s/.test(l))).toBe(true);
  });

  it.runIf(hasService('docker-compose', 'docker-compose'))('docker-compose.yml validates, with Grafana and the server built from config/Dockerfile', () => {
    const result = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/grafana:\n(?:.*\n)*?\s+image: grafana\/grafana-oss/);
    expect(result.stdout).toContain('dockerfile: config/Dockerfile');
    expect(result.stdout).toContain('dockerfile: config/agent.Dockerfile');
  });
});
