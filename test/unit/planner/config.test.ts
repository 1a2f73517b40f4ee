import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../server/config/load.js';
import { PlanInput } from '../../../server/planner/contract.js';

describe('config planner section', () => {
  it('defaults to a complete, valid set of plan assumptions', () => {
    const config = parseConfig({});
    const input = PlanInput.safeParse({ market: config.planner.market, ai: config.planner.ai, finance: config.planner.finance, constraints: config.planner.constraints, sites: [{ id: 'a', power_mw: 1, power_price_usd_per_kwh: 0.05, efficiency_jth: 20 }] });
    expect(input.success).toBe(true);
    expect(config.planner.window_hours).toBe(24);
  });

  it('config/rigline.yaml documents the planner section and parses', () => {
    const raw = parse(readFileSync('config/rigline.yaml', 'utf8')) as { planner?: unknown };
    expect(raw.planner).toBeTypeOf('object');
    expect(parseConfig(raw).planner.ai.model).toBe('gpu_rental');
  });

  it('names the path of a bad planner value', () => {
    let problems: string[] = [];
    try {
      parseConfig({ planner: { ai: { utilization: 1.5 } }, sites: [{ id: 'site-01', name: 'x', ai_eligible: 'yes' }] });
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems.some((p) => p.startsWith('planner.ai.utilization:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('sites.0.ai_eligible:'))).toBe(true);
  });
});
