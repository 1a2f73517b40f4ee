import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parsePrometheusTextFormat, { type PromFamily } from 'parse-prometheus-text-format';
import { afterAll, describe, expect, it } from 'vitest';
import { DEVICES } from '../agents/recordings.js';
import { AGENT_BUNDLE } from '../helpers/build.js';
import { loadRecordings, startFakeMiner, type FakeMiner } from '../helpers/fake-miner.js';
import { waitFor } from '../helpers/server.js';
import { freePort, hasService, startMosquitto, type Service } from '../helpers/services.js';

const haveMosquitto = hasService('mosquitto', 'mosquitto');
const dir = mkdtempSync(join(tmpdir(), 'rigline-agent-metrics-'));

function sum(family: PromFamily | undefined, labels: Record<string, string> = {}): number {
  return (family?.metrics ?? [])
    .filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
    .reduce((total, m) => total + Number(m.value ?? m.count ?? 0), 0);
}

describe.skipIf(!haveMosquitto)('the built agent\'s optional /metrics', () => {
  let broker: Service | undefined;
  const miners: FakeMiner[] = [];
  afterAll(async () => {
    await Promise.all(miners.map((m) => m.close()));
    await broker?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exposes polls and failures per source, spool depth and publish lag in the Prometheus text format', async () => {
    broker = await startMosquitto();
    miners.push(await startFakeMiner({ replies: loadRecordings(DEVICES.antminerStock as Record<string, string>) }));
    miners.push(await startFakeMiner({ replies: {}, behaviour: 'garbage' }));
    const [good, broken] = miners as [FakeMiner, FakeMiner];
    const port = await freePort();
    const file = join(dir, 'agent.yaml');
    writeFileSync(
      file,
      [
        'site: site-m',
        'agent_id: ctrl-m',
        'interval_s: 0.3',
        'timeout_ms: 2000',
        `mqtt: { url: "${broker.url}" }`,
        'sources:',
        `  - { type: cgminer, host: ${good.host}, port: ${good.port}, rig: good-1 }`,
        `  - { type: cgminer, host: ${broken.host}, port: ${broken.port}, rig: broken-1 }`,
        `spool: { dir: "${join(dir, 'spool')}" }`,
        `metrics: { port: ${port} }`,
        'log: { level: warn }',
      ].join('\n'),
    );
    const child = spawn(process.execPath, [AGENT_BUNDLE, 'run', '--config', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const url = `http://127.0.0.1:${port}/metrics`;
      const families = await waitFor(
        async () => {
          const res = await fetch(url).catch(() => null);
          if (!res || res.status !== 200) return undefined;
          const parsed = new Map(parsePrometheusTextFormat(await res.text()).map((f) => [f.name, f]));
          const polls = parsed.get('rigline_agent_polls_total');
          const acked = sum(parsed.get('rigline_agent_published_live_samples_total'));
          return sum(polls, { rig: 'good-1', outcome: 'ok' }) >= 2 && sum(polls, { rig: 'broken-1', outcome: 'failed' }) >= 2 && acked >= 2 ? parsed : undefined;
        },
        20_000,
        `agent metrics (${stderr})`,
      );
      expect(families.get('rigline_agent_polls_total')?.type).toBe('COUNTER');
      expect(sum(families.get('rigline_agent_polls_total'), { rig: 'broken-1', outcome: 'ok' })).toBe(0);
      expect(sum(families.get('rigline_agent_failing_sources'))).toBe(1);
      expect(sum(families.get('rigline_agent_rounds_total'))).toBeGreaterThanOrEqual(2);
      for (const gauge of ['rigline_agent_spool_records', 'rigline_agent_spool_bytes', 'rigline_agent_backlog_messages']) {
        expect(families.get(gauge)?.type, gauge).toBe('GAUGE');
        expect(sum(families.get(gauge)), gauge).toBeGreaterThanOrEqual(0);
      }
      // Publishing to a live broker: the last PUBACK is recent.
      expect(sum(families.get('rigline_agent_publish_lag_seconds'))).toBeLessThan(10);
      expect(families.get('rigline_agent_publish_ack_seconds')?.type).toBe('HISTOGRAM');
      expect(sum(families.get('rigline_agent_lost_samples_total'))).toBe(0);
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }, 60_000);
});
