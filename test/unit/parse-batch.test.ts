import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FleetModel } from '../../agents/sim/simulator.js';
import { parseBatchBySample } from '../../server/ingest/parse-batch.js';

/**
 * The sample-by-sample parse must give exactly JSON.parse's value whenever it answers, answer for every batch the
 * agents write, and step aside (null) for anything else, so decodeMessage's result and errors stay JSON.parse's.
 */
const model = new FleetModel({ sites: 1, rigsPerSite: 40, seed: 3, intervalMs: 5000, faultRate: 0.3, gpuEvery: 5 });
const samples = model.samplesAt(model.sites[0]!, 2, 1_700_000_000_000);
const agentBatch = (list: unknown[]): Buffer => Buffer.from(JSON.stringify({ schema: 1, samples: list }));

describe('parseBatchBySample', () => {
  it("parses the agents' own batches to exactly what JSON.parse gives", () => {
    for (const n of [1, 2, 17, samples.length]) {
      const payload = agentBatch(samples.slice(0, n));
      expect(parseBatchBySample(payload)).toEqual(JSON.parse(payload.toString()));
    }
  });

  it('keeps strings that contain the cut sequence, escaped quotes and non-ASCII text intact', () => {
    const tricky = samples.slice(0, 3).map((s, i) => ({
      ...s,
      status_text: [`x"},{"schema":1,"y":"`, '},{"schema":', `rig ${i} — 温度 \u2028 😀`][i],
    }));
    const payload = agentBatch(tricky);
    expect(parseBatchBySample(payload)).toEqual(JSON.parse(payload.toString()));
  });

  it('steps aside for every other form: whole-payload JSON.parse decides', () => {
    const body = JSON.stringify(samples.slice(0, 2));
    for (const other of [
      `{"samples":${body},"schema":1}`, // another key order
      `{ "schema":1,"samples":${body}}`, // whitespace
      `{"schema":1,"samples":${body} }`,
      '{"schema":1,"samples":[]}', // empty
      `{"schema":1,"samples":${body.slice(0, -1)},{"schema":1,}]}`, // a piece that is not JSON
      `{"schema":1,"samples":${body.slice(0, -1)}],"samples":[{"schema":1}]}`, // a second samples key
      `{"schema":1,"samples":[{"schema":1,"x":[{"schema":1},{"schema":2}]}]}`, // the sequence nested deeper
      JSON.stringify(samples[0]), // a single sample
    ]) {
      const parsed = parseBatchBySample(Buffer.from(other));
      if (parsed !== null) expect(parsed).toEqual(JSON.parse(other));
      if (other.includes('"x":[{"schema"')) expect(parsed).toBeNull();
    }
  });

  it('never disagrees with JSON.parse on random batches and random cuts of them', () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
    const sample = fc.dictionary(fc.string({ maxLength: 12 }), value, { maxKeys: 6 }).map((o) => ({ schema: 1, ...o }));
    fc.assert(
      fc.property(fc.array(sample, { minLength: 1, maxLength: 8 }), fc.nat(), fc.nat(), (list, from, to) => {
        const text = JSON.stringify({ schema: 1, samples: list });
        const whole = parseBatchBySample(Buffer.from(text));
        // Every sample written with "schema" first (as the agents write them) is cut and parsed; an integer-like key
        // (JSON.stringify writes those first) makes the batch another form, parsed whole.
        const agentForm = list.every((s) => JSON.stringify(s).startsWith('{"schema":'));
        if (agentForm || whole !== null) expect(whole).toEqual(JSON.parse(text));
        // A mangled payload: whenever the fast parse answers, JSON.parse must give the same value.
        const cut = text.slice(0, from % text.length) + text.slice(from % text.length + (to % 4));
        let expected: unknown;
        try {
          expected = JSON.parse(cut);
        } catch {
          expected = undefined;
        }
        const fast = parseBatchBySample(Buffer.from(cut));
        if (fast !== null) expect(fast).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });
});
