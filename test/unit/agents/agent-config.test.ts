import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentConfigError, loadAgentConfig, parseAgentConfig } from '../../../agents/runtime/config.js';

const problems = (raw: unknown): string[] => {
  try {
    parseAgentConfig(raw);
  } catch (err) {
    if (err instanceof AgentConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('agent config', () => {
  it('fills defaults', () => {
    const config = parseAgentConfig({ site: 'site-a', agent_id: 'ctrl-1', sources: [{ type: 'cgminer', host: '10.0.0.21' }] });
    expect(config).toMatchObject({
      interval_s: 10,
      timeout_ms: 5000,
      mqtt: { url: 'mqtt://127.0.0.1:1883', reconnect: { initial_ms: 500, max_ms: 30_000 }, max_in_flight: 16 },
      sources: [{ type: 'cgminer', host: '10.0.0.21', port: 4028 }],
      spool: { dir: '/var/lib/rigline-agent/spool', max_mb: 256 },
    });
  });

  it('reports every problem on its own line with its path', () => {
    expect(
      problems({
        site: 'Site A',
        agent_id: 'ctrl-1',
        interval_s: 0,
        sources: [{ type: 'nvidia-smi' }, { type: 'cgminer', host: 'a', port: 70000 }, { type: 'dcgm-exporter' }],
        spool: { max_mb: 0 },
        extra: true,
      }),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^site: /),
        expect.stringMatching(/^interval_s: /),
        expect.stringMatching(/^sources\.0\.rig: /),
        expect.stringMatching(/^sources\.1\.port: /),
        expect.stringMatching(/^sources\.2\.type: /),
        expect.stringMatching(/^spool\.max_mb: /),
        expect.stringMatching(/^\(root\): .*extra/),
      ]),
    );
    expect(problems({ site: 's', agent_id: 'a', sources: [] })).toEqual(['sources: list at least one source']);
  });

  it('rejects two sources publishing under one rig id', () => {
    expect(
      problems({
        site: 's',
        agent_id: 'a',
        sources: [{ type: 'cgminer', host: '10.0.0.1' }, { type: 'dcgm', url: 'http://gpu:9400/metrics', rig: '10-0-0-1' }],
      }),
    ).toEqual(['sources.1.rig: 10-0-0-1 is already the rig of sources.0']);
  });

  it('rejects duplicate sources and an inverted backoff', () => {
    expect(
      problems({
        site: 's',
        agent_id: 'a',
        mqtt: { reconnect: { initial_ms: 5000, max_ms: 100 } },
        sources: [{ type: 'cgminer', host: '10.0.0.1' }, { type: 'cgminer', host: '10.0.0.1', port: 4028 }],
      }),
    ).toEqual(['sources.1: duplicates sources.0 (10.0.0.1:4028)', 'mqtt.reconnect.max_ms: must not be below mqtt.reconnect.initial_ms']);
  });

  it('loads YAML with broker overrides from the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rigline-agent-config-'));
    try {
      const file = join(dir, 'agent.yaml');
      writeFileSync(file, 'site: site-a\nagent_id: gpu-1\nsources:\n  - type: nvidia-smi\n    rig: gpu-1\n');
      const config = loadAgentConfig(file, { MQTT_URL: 'mqtts://broker.example:8883', MQTT_USERNAME: 'agent' });
      expect(config.mqtt).toMatchObject({ url: 'mqtts://broker.example:8883', username: 'agent' });
      writeFileSync(file, 'site: [');
      expect(() => loadAgentConfig(file, {})).toThrow(/is not valid YAML/);
      expect(() => loadAgentConfig(join(dir, 'missing.yaml'), {})).toThrow(/does not exist/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the documented example config is valid', () => {
    expect(() => loadAgentConfig('config/agent.example.yaml', {})).not.toThrow();
  });
});
