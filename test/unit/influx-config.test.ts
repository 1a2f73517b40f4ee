import { describe, expect, it } from 'vitest';
import { applyEnv, ConfigError, parseConfig } from '../../server/config/load.js';

describe('store configuration', () => {
  it('defaults to the memory store with InfluxDB settings ready to switch on', () => {
    const config = parseConfig({});
    expect(config.store.kind).toBe('memory');
    expect(config.store.influxdb).toMatchObject({
      url: 'http://localhost:8086',
      database: 'rigline',
      retention: { raw: '7d', rollup_1m: '90d', rollup_1h: 'INF' },
      max_buffered_samples: 250_000,
    });
  });

  it('selects InfluxDB 1.x from the environment', () => {
    const raw = applyEnv({}, { RIGLINE__STORE__KIND: 'influxdb1', RIGLINE__STORE__INFLUXDB__URL: 'http://influxdb:8086' });
    expect(parseConfig(raw).store).toMatchObject({ kind: 'influxdb1', influxdb: { url: 'http://influxdb:8086' } });
  });

  it('requires org, bucket and token for InfluxDB 2.x and valid durations', () => {
    try {
      parseConfig({ store: { kind: 'influxdb2', influxdb: { org: 'acme', retention: { raw: '7 days' } } } });
      expect.unreachable();
    } catch (err) {
      const problems = (err as ConfigError).problems;
      expect(problems).toContain("store.influxdb.bucket: required when store.kind is 'influxdb2'");
      expect(problems).toContain("store.influxdb.token: required when store.kind is 'influxdb2'");
      expect(problems.some((p) => p.startsWith('store.influxdb.retention.raw:'))).toBe(true);
      expect(problems).toHaveLength(3);
    }
  });
});
