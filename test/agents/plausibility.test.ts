import { describe, expect, it } from 'vitest';
import { buildAsicSample, type MinerReplies } from '../../agents/cgminer/index.js';
import { guardReading, type GuardContext, type Reading } from '../../agents/cgminer/plausibility.js';

/** Each plausibility guard on its own: an impossible figure becomes null with a line in `errors`. */
const ctx = { site: 's', rig: 'r', ts: 1_700_000_000_000, intervalS: 30 };

/** An S9 as bmminer reports it, with chosen figures. */
function s9(stats: Record<string, unknown>, summary: Record<string, unknown> = { 'GHS 5s': '13500', 'GHS av': 13400 }): MinerReplies {
  return {
    version: { STATUS: [{ STATUS: 'S' }], VERSION: [{ BMMiner: '2.0.0', Type: 'Antminer S9' }] },
    summary: { STATUS: [{ STATUS: 'S' }], SUMMARY: [summary] },
    stats: {
      STATUS: [{ STATUS: 'S' }],
      STATS: [
        { BMMiner: '2.0.0', Type: 'Antminer S9' },
        { miner_count: 3, fan_num: 2, fan5: 3600, fan6: 3700, chain_acn6: 63, chain_acn7: 63, chain_acn8: 63, chain_rate6: '4500', chain_rate7: '4500', chain_rate8: '4500', temp6: 60, temp7: 61, temp8: 62, temp2_6: 75, temp2_7: 76, temp2_8: 77, ...stats },
      ],
    },
  };
}

describe('plausibility guards in samples', () => {
  it('a sane S9 passes untouched', () => {
    const sample = buildAsicSample(s9({}), ctx);
    expect(sample.errors).toEqual([]);
    expect(sample.hashrate_5s_ths).toBe(13.5);
    expect(sample.boards.map((b) => [b.temp_c, b.chip_temp_c])).toEqual([[60, 75], [61, 76], [62, 77]]);
  });

  it('temperature outside -40…150 °C', () => {
    const sample = buildAsicSample(s9({ temp7: 255, temp2_8: -60 }), ctx);
    expect(sample.boards.map((b) => [b.temp_c, b.chip_temp_c])).toEqual([[60, 75], [null, 76], [62, null]]);
    expect(sample.errors).toEqual([
      'board 1 temperature 255 °C is outside -40…150 °C: dropped',
      'board 2 chip temperature -60 °C is outside -40…150 °C: dropped',
    ]);
  });

  it('a cold start below 0 °C is a reading, not an error', () => {
    const sample = buildAsicSample(s9({ temp6: -12 }), ctx);
    expect(sample.boards[0]?.temp_c).toBe(-12);
    expect(sample.errors).toEqual([]);
  });

  it('fan speed outside 0…30000 rpm', () => {
    const sample = buildAsicSample(s9({ fan6: 65535 }), ctx);
    expect(sample.fans_rpm).toEqual([3600, null]);
    expect(sample.errors).toEqual(['fan 1 speed 65535 rpm is outside 0…30000 rpm: dropped']);
  });

  it('hashrate against nameplate: 683 TH/s on a 13.5 TH/s S9', () => {
    const sample = buildAsicSample(s9({}, { 'GHS 5s': '13500', 'GHS av': 683000 }), ctx);
    expect(sample.hashrate_5s_ths).toBe(13.5);
    expect(sample.hashrate_avg_ths).toBeNull();
    expect(sample.errors).toEqual(['average hashrate 683 TH/s is implausible for an Antminer S9 (nameplate 13.5 TH/s): dropped']);
  });

  it('board hashrate against the board share of nameplate', () => {
    const sample = buildAsicSample(s9({ chain_rate7: '250000' }), ctx);
    expect(sample.boards.map((b) => b.hashrate_ths)).toEqual([4.5, null, 4.5]);
    expect(sample.errors).toEqual(['board 1 hashrate 250 TH/s is implausible for an Antminer S9 (nameplate 13.5 TH/s): dropped']);
  });

  it('W per TH/s: 34.65 W "from the miner" for 11.8 TH/s is not a measurement; the estimate takes over', () => {
    const sample = buildAsicSample(s9({ chain_power6: 11.55, chain_power7: 11.55, chain_power8: 11.55 }, { 'GHS 5s': '11800' }), ctx);
    expect(sample.power_source).toBe('estimated');
    expect(sample.power_w).toBeCloseTo(11.8 * 98, 6);
    expect(sample.errors).toEqual(['power 34.65 W from the miner is implausible for 11.8 TH/s (2.94 W per TH/s, expected 39.2…392): dropped']);
  });

  it('real watts pass: 1485 W for 12.8 TH/s', () => {
    const sample = buildAsicSample(s9({ chain_consumption6: 495, chain_consumption7: 495, chain_consumption8: 495 }, { 'GHS 5s': '12800' }), ctx);
    expect([sample.power_w, sample.power_source]).toEqual([1485, 'miner']);
    expect(sample.errors).toEqual([]);
  });

  it('an unknown model still meets the generic limits', () => {
    const base: Reading = { rate5s: 3000, rateAvg: 100, boards: [], fansRpm: [], minerPowerW: 25_000 };
    const context: GuardContext = { modelName: null, nameplate: null, boards: null, unit: 'TH/s', maxRate: 2500, efficiency: { min: 5, max: 500 }, boardRate: 'hashrate_ths' };
    const { reading, errors } = guardReading(base, context);
    expect(reading).toMatchObject({ rate5s: null, rateAvg: 100, minerPowerW: null });
    expect(errors).toEqual([
      'hashrate 3000 TH/s is implausible for one miner: dropped',
      'power 25000 W from the miner is outside 0…20000 W: dropped',
    ]);
  });
});
