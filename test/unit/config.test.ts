import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, applyEnv, loadConfig, parseConfig } from '../../server/config/load.js';
import { SERVER_BUNDLE } from '../helpers/build.js';

const run = promisify(execFile);

describe('configuration', () => {
  it('fills every default from an empty file and freezes the result', () => {
    const config = parseConfig({});
    expect(config.server.port).toBe(3000);
    expect(config.mqtt.embedded.port).toBe(1883);
    expect(config.sim).toMatchObject({ sites: 4, rigs_per_site: 50 });
    expect(Object.isFrozen(config.server)).toBe(true);
  });

  it('applies the documented environment overrides with their types', () => {
    const raw = applyEnv({}, { PORT: '8080', SIM_SITES: '9', RIGLINE__INGEST__MISSED_INTERVALS: '5', MQTT_URL: 'mqtt://b:1883' });
    const config = parseConfig(raw);
    expect(config.server.port).toBe(8080);
    expect(config.sim.sites).toBe(9);
    expect(config.ingest.missed_intervals).toBe(5);
    expect(config.mqtt).toMatchObject({ mode: 'external', url: 'mqtt://b:1883' });
  });

  it('lists every problem with its path', () => {
    try {
      parseConfig({ server: { port: 70000, extra: true }, mqtt: { mode: 'external' }, sim: { sites: 'x' } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems;
      expect(problems).toHaveLength(4);
      expect(problems.some((p) => p.startsWith('server.port:'))).toBe(true);
      expect(problems.some((p) => p.startsWith('server:') && p.includes('extra'))).toBe(true);
      expect(problems.some((p) => p.startsWith('sim.sites:'))).toBe(true);
      expect(problems).toContain("mqtt.url: required when mqtt.mode is 'external'");
    }
  });

  it('refuses server-summed minute rollups when instances split ingest, and bounds the grace', () => {
    const shared = { mqtt: { mode: 'external', url: 'mqtt://b:1883', shared_group: 'g' }, store: { kind: 'influxdb1' } };
    expect(() => parseConfig({ ...shared, store: { kind: 'influxdb1', influxdb: { minute_rollups: 'server' } } })).toThrow(
      /store\.influxdb\.minute_rollups: 'server' needs one instance/,
    );
    expect(parseConfig({ ...shared, store: { kind: 'influxdb1', influxdb: { minute_rollups: 'continuous_query' } } }).store.influxdb.minute_rollups).toBe('continuous_query');
    expect(parseConfig({}).store.influxdb.rollup_grace_ms).toBe(90_000);
    expect(() => parseConfig({ store: { influxdb: { rollup_grace_ms: 300_000 } } })).toThrow(/rollup_grace_ms/);
  });

  it('reports a missing file and broken YAML', () => {
    expect(() => loadConfig('/nonexistent/rigline.yaml', {})).toThrow(/does not exist/);
    const dir = mkdtempSync(join(tmpdir(), 'rigline-cfg-'));
    writeFileSync(join(dir, 'bad.yaml'), 'server: [unclosed');
    expect(() => loadConfig(join(dir, 'bad.yaml'), {})).toThrow(ConfigError);
  });

  it('the built server prints one line per problem and exits 1 on a bad config file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rigline-cfg-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'server:\n  port: -1\nlog:\n  level: loud\n');
    const result = await run(process.execPath, [SERVER_BUNDLE, '--config', file]).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    expect(result.code).toBe(1);
    const lines = result.stderr.split('\n').filter((l) => l.startsWith('config error:'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/server\.port/);
    expect(lines[1]).toMatch(/log\.level/);
  });
});
