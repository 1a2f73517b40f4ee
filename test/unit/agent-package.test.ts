import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

describe('the agent tarball (npm run build:agent)', () => {
  it('holds the one-file agent, the systemd unit, an example config and install steps; it runs with node alone', { timeout: 60_000 }, () => {
    const pack = spawnSync(process.execPath, ['config/agent-package.mjs', '--no-sea'], { encoding: 'utf8' });
    expect(pack.status, pack.stderr).toBe(0);
    const tarball = join('dist', 'agent', `rigline-agent-${version}.tar.gz`);
    const host = mkdtempSync(join(tmpdir(), 'rigline-rig-host-'));
    try {
      // A rig host: no repository, no node_modules, only the unpacked tarball.
      expect(spawnSync('tar', ['-xzf', tarball, '-C', host]).status).toBe(0);
      const dir = join(host, `rigline-agent-${version}`);
      expect(readdirSync(dir).sort()).toEqual(['INSTALL.txt', 'agent.example.yaml', 'rigline-agent.cjs', 'rigline-agent.service']);
      const unit = readFileSync(join(dir, 'rigline-agent.service'), 'utf8');
      expect(unit).toMatch(/^ExecStart=\/usr\/bin\/node .*\/opt\/rigline-agent\/rigline-agent\.cjs run --config \/etc\/rigline-agent\/agent\.yaml$/m);
      const run = (...args: string[]) => spawnSync(process.execPath, [join(dir, 'rigline-agent.cjs'), ...args], { cwd: host, encoding: 'utf8' });
      expect(run('--version').stdout.trim()).toBe(version);
      const help = run('--help');
      expect(help.status).toBe(0);
      expect(help.stdout).toContain('rigline-agent [run] [--config FILE]');
      // A missing config is exit 1 with the reason (the unit does not restart on 1).
      const missing = run('run', '--config', join(dir, 'missing.yaml'));
      expect(missing.status).toBe(1);
      expect(missing.stderr).toContain('missing.yaml');
    } finally {
      rmSync(host, { recursive: true, force: true });
    }
  });
});
