import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { startAlerts } from '../../server/alerts/service.js';
import { ConfigError, parseConfig } from '../../server/config/load.js';
import type { SiteRollup } from '../../server/contract/index.js';

describe('alerts configuration', () => {
  it('has defaults for every rule', () => {
    const config = parseConfig({});
    expect(config.alerts.enabled).toBe(true);
    expect(config.alerts.rules.hashrate_drop).toMatchObject({ drop_share: 0.2, baseline_s: 3600, severity: 'warning' });
    expect(config.alerts.rules.rig_offline).toMatchObject({ for_s: 120, severity: 'critical' });
    expect(config.alerts.webhooks).toEqual([]);
  });

  it('reports every bad key with its path', () => {
    let problems: string[] = [];
    try {
      parseConfig({ alerts: { rules: { overheat: { asic_c: 500 }, nope: {} }, webhooks: [{ url: 'not a url', format: 'teams' }] } });
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems.some((p) => p.startsWith('alerts.rules.overheat.asic_c:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('alerts.rules:') && p.includes('nope'))).toBe(true);
    expect(problems.some((p) => p.startsWith('alerts.webhooks.0.url:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('alerts.webhooks.0.format:'))).toBe(true);
  });

  it('feeds sites[].capacity_mw (MW) to the site power rule (kW)', async () => {
    const config = parseConfig({
      sites: [{ id: 'site-01', name: 'Rockdale TX', capacity_mw: 0.5 }],
      alerts: { evaluate_interval_ms: 50, rules: { site_power: { for_s: 0 } } },
    });
    const site = (kw: number): SiteRollup => ({
      id: 'site-01', name: 'Rockdale TX', rigs: { total: 1, online: 1, offline: 0, degraded: 0 }, hashrate_ths: 0, power_kw: kw,
      efficiency_jth: null, gpus: { total: 0, online: 0, utilization_pct: null },
    });
    let power = 490;
    const published: string[] = [];
    const service = startAlerts(config, { records: () => [], site: () => site(power) }, pino({ level: 'silent' }));
    service.engine.onChange((a) => published.push(`${a.kind}:${a.state}`));
    try {
      await new Promise((r) => setTimeout(r, 200));
      expect(published).toEqual([]);
      power = 510;
      await new Promise((r) => setTimeout(r, 200));
      expect(published).toEqual(['site_power:open']);
      expect(service.engine.list()[0]).toMatchObject({ value: 510, threshold: 500 });
    } finally {
      service.stop();
    }
  });
});
