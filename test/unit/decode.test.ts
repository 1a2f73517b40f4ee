import { describe, expect, it } from 'vitest';
import { FleetModel } from '../../agents/sim/simulator.js';
import { parseTopic, statusTopic, telemetryTopic } from '../../server/contract/index.js';
import { decodeMessage } from '../../server/ingest/decode.js';

const model = new FleetModel({ sites: 1, rigsPerSite: 5, seed: 11, intervalMs: 5000, faultRate: 0, gpuEvery: 5 });
const [asic, , , , gpu] = model.samplesAt(model.sites[0]!, 0, 1_700_000_000_000);
const buf = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

describe('topics', () => {
  it('round-trips and refuses anything off the v1 layout', () => {
    expect(parseTopic(telemetryTopic('s-1', 'r-1'))).toEqual({ site: 's-1', rig: 'r-1', channel: 'telemetry' });
    expect(parseTopic(statusTopic('s-1', 'r-1'))?.channel).toBe('status');
    for (const bad of ['rigline/v1/s/r', 'rigline/v2/s/r/telemetry', 'rigline/v1/S/r/telemetry', 'rigline/v1/s/r/other', `rigline/v1/${'a'.repeat(65)}/r/telemetry`]) {
      expect(parseTopic(bad)).toBeNull();
    }
  });
});

describe('decodeMessage', () => {
  it('accepts a single ASIC sample, a GPU sample and a controller batch', () => {
    const one = decodeMessage(telemetryTopic(asic!.site, asic!.rig), buf(asic), 1e6);
    expect(one).toMatchObject({ ok: true, kind: 'telemetry', samples: [asic] });
    expect(decodeMessage(telemetryTopic(gpu!.site, gpu!.rig), buf(gpu), 1e6).ok).toBe(true);
    const batch = decodeMessage(telemetryTopic(asic!.site, 'controller'), buf({ schema: 1, samples: [asic, gpu] }), 1e6);
    expect(batch.ok && batch.kind === 'telemetry' && batch.samples.length).toBe(2);
  });

  it('names one reason for each kind of bad message', () => {
    const topic = telemetryTopic(asic!.site, asic!.rig);
    const reasonOf = (t: string, p: unknown, max = 1e6) => {
      const d = decodeMessage(t, buf(p), max);
      return d.ok ? 'ok' : d.reason;
    };
    expect(reasonOf(topic, '{nope')).toBe('bad_json');
    expect(reasonOf(topic, { ...asic, power_w: -5 })).toBe('schema');
    expect(reasonOf(topic, { ...asic, fans_rpm: [0, null, 'x'] })).toBe('schema');
    expect(reasonOf(topic, { ...asic, schema: 3 })).toBe('unknown_schema_version');
    expect(reasonOf(topic, { schema: 1, samples: [{ ...asic, schema: 9 }] })).toBe('unknown_schema_version');
    expect(reasonOf(topic, asic, 10)).toBe('oversized');
    expect(reasonOf(telemetryTopic(asic!.site, 'other'), asic)).toBe('topic_mismatch');
    expect(reasonOf('rigline/v1/x/y/telemetry', { schema: 1, samples: [asic] })).toBe('topic_mismatch');
    expect(reasonOf('a/b', asic)).toBe('bad_topic');
    expect(reasonOf(topic, null)).toBe('unknown_schema_version');
    expect(reasonOf(topic, [])).toBe('unknown_schema_version');
  });

  it('keeps unknown values as null rather than zero', () => {
    const unknown = { ...asic, power_w: null, power_source: null, hashrate_5s_ths: null, fans_rpm: [null, 0] };
    const d = decodeMessage(telemetryTopic(asic!.site, asic!.rig), buf(unknown), 1e6);
    expect(d.ok && d.kind === 'telemetry' && d.samples[0]).toMatchObject({ power_w: null, hashrate_5s_ths: null, fans_rpm: [null, 0] });
  });
});
