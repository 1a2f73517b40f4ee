import { describe, expect, it } from 'vitest';
import { buildAsicSample, parseMinerJson, type MinerReplies } from '../../agents/cgminer/index.js';
import { formatAsicSample } from '../../agents/runtime/probe-print.js';
import { loadRecordings } from '../helpers/fake-miner.js';
import { DEVICES, FAMILY_DEVICES } from './recordings.js';

/** `rigline-agent probe` prints readings at the precision a device gives, never float noise. */
function sampleOf(files: Record<string, string>): ReturnType<typeof buildAsicSample> {
  const replies: MinerReplies = Object.fromEntries(
    Object.entries(loadRecordings(files)).map(([c, bytes]) => [c, parseMinerJson(bytes) as Record<string, unknown>]),
  );
  return buildAsicSample(replies, { site: 'probe', rig: 'probe', ts: 1_700_000_000_000, intervalS: 30 });
}

describe('probe text output', () => {
  it('rounds temperatures to 0.1 °C and hashrates to 0.001 TH/s', () => {
    const sample = sampleOf(DEVICES.auradine);
    expect(sample.boards[0]?.chip_temp_c).toBe(45.827271728515655);
    const text = formatAsicSample(sample);
    expect(text).toContain('board 0: 6.8 TH/s, 28.3°C board / 45.8°C chip');
    expect(text).toContain('hashrate 20.6 TH/s now, 7.971 TH/s avg');
    expect(text).not.toMatch(/\d\.\d{4,}/);
  });

  it('shows a Scrypt miner in its own unit, marked as not bitcoin', () => {
    const text = formatAsicSample(sampleOf(FAMILY_DEVICES.l3Plus));
    expect(text).toContain('hashrate 504.56 MH/s now, 500.28 MH/s avg, nameplate 504 MH/s (scrypt: not bitcoin hashrate)');
    expect(text).toContain('board 0: 126.12 MH/s, 46°C board / 54°C chip, chips 72/72');
  });
});
