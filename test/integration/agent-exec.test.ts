import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICES } from '../agents/recordings.js';
import { loadRecordings, startFakeMiner, type FakeMiner } from '../helpers/fake-miner.js';

const BIN = 'agents/bin/rigline-agent.js';
function cli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

/** `rigline-agent exec`: one action straight at a miner on the LAN (a fake Avalon Q answering from recordings). */
describe('rigline-agent exec', () => {
  let miner: FakeMiner;
  beforeAll(async () => {
    const off = loadRecordings({ off: 'asicrs__avalon-q__ascset_softoff.json' }).off as Buffer;
    miner = await startFakeMiner({ replies: loadRecordings(DEVICES.avalonQ), respond: (p) => (p.includes('"ascset"') ? off : undefined) });
  });
  afterAll(async () => miner?.close());

  it('refuses without --yes (exit 2, nothing sent), runs with it and prints the answer (exit 0)', async () => {
    const refused = await cli('exec', `${miner.host}:${miner.port}`, 'sleep');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('add --yes');
    expect(miner.requests).toHaveLength(0);
    const done = await cli('exec', `${miner.host}:${miner.port}`, 'sleep', '--yes');
    expect(done.status).toBe(0);
    expect(done.stdout).toContain('avalon: sleep done: soft off: ASC 0 set info: success softoff');
    expect(miner.requests.filter((r) => r.includes('softoff'))).toHaveLength(1);
    const unsupported = await cli('exec', `${miner.host}:${miner.port}`, 'power_target', '3000W', '--yes');
    expect(unsupported.status).toBe(1);
    expect(unsupported.stdout).toContain('unsupported_action');
  }, 60_000);
});
