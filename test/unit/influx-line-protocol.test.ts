import { describe, expect, it } from 'vitest';
import { FleetModel } from '../../agents/sim/simulator.js';
import type { AsicSample } from '../../server/contract/index.js';
import { escapeStringField, escapeTag, PointBuilder, quoteIdent, quoteLiteral, tagValue } from '../../server/store/influx/line-protocol.js';
import { encodeSample } from '../../server/store/influx/schema.js';

describe('line protocol escaping', () => {
  it('escapes comma, equals sign and space in tag values', () => {
    expect(escapeTag('Antminer S19j Pro')).toBe('Antminer\\ S19j\\ Pro');
    expect(escapeTag('a,b=c')).toBe('a\\,b\\=c');
    expect(escapeTag('plain-id')).toBe('plain-id');
  });

  it('normalises tag values that line protocol cannot carry', () => {
    expect(tagValue('line\nbreak\ttab')).toBe('line break tab');
    expect(tagValue('  padded  ')).toBe('padded');
    expect(tagValue('ends with \\')).toBe('ends with /');
    expect(tagValue('a\\,b')).toBe('a/,b');
    expect(tagValue('a\\\\b')).toBe('a/\\b');
    expect(tagValue('keep\\this')).toBe('keep\\this');
    expect(tagValue('   ')).toBeNull();
    expect(tagValue('x'.repeat(500))).toHaveLength(128);
  });

  it('escapes double quotes and backslashes in string fields and keeps newlines', () => {
    expect(escapeStringField('say "hi" \\o/\nbye')).toBe('say \\"hi\\" \\\\o/\nbye');
  });

  it('omits null fields and tags, and refuses a point without fields', () => {
    const point = PointBuilder.start('m', [['a', 'x y'], ['b', null], ['c', '']]);
    expect(point.line(5)).toBeNull();
    point.float('f', null).int('i', 3).str('s', 'q"').bool('b', false).float('g', 1.5e-7).float('n', Number.NaN);
    expect(point.line(1_700_000_000_000)).toBe('m,a=x\\ y i=3i,s="q\\"",b=f,g=1.5e-7 1700000000000');
  });

  it('quotes InfluxQL identifiers and literals', () => {
    expect(quoteIdent('my"db\\')).toBe('"my\\"db\\\\"');
    expect(quoteLiteral("it's \\")).toBe("'it\\'s \\\\'");
    expect(() => quoteLiteral('a\nb')).toThrow(/control characters/);
  });

  it('encodes a hostile sample into lines that each parse as one point', () => {
    const model = new FleetModel({ sites: 1, rigsPerSite: 1, seed: 1, intervalMs: 10_000, faultRate: 0, gpuEvery: 0 });
    const base = model.samplesAt(model.sites[0]!, 0, 1_700_000_000_000)[0] as AsicSample;
    const hostile = 'x,y=z "q" \\\n end\\';
    const { lines, points } = encodeSample({ ...base, model: hostile, firmware: hostile, errors: [hostile], status_text: hostile });
    const split = lines.split('\n');
    // The string field keeps its newline inside quotes; every point still ends with its timestamp.
    expect(points).toBe(1 + base.boards.length + base.pools.length);
    expect(split.filter((l) => / 1700000000000$/.test(l))).toHaveLength(points);
    expect(lines).toContain('model=x\\,y\\=z\\ "q"\\ /\\ \\ end/');
    expect(lines).toContain('errors="x,y=z \\"q\\" \\\\\n end\\\\"');
  });
});

describe('memoised series heads', () => {
  it('rebuilds a rig’s heads when its site, model, firmware or a GPU name changes, never from a stale memo', () => {
    const model = new FleetModel({ sites: 1, rigsPerSite: 25, seed: 3, intervalMs: 10_000, faultRate: 0, gpuEvery: 25 });
    const samples = model.samplesAt(model.sites[0]!, 0, 1_700_000_000_000);
    const asic = samples.find((s) => s.kind === 'asic') as AsicSample;
    const gpu = samples.find((s) => s.kind === 'gpu')!;
    // The series part of each line: up to the first space that is not escaped.
    const heads = (lines: string) => lines.split('\n').map((l) => /^(?:[^ \\]|\\.)*/.exec(l)![0]);
    expect(heads(encodeSample(asic).lines)[0]).toBe(`rig,firmware=${asic.firmware!.replace(/ /g, '\\ ')},kind=asic,model=${asic.model!.replace(/ /g, '\\ ')},rig=${asic.rig},site=${asic.site}`);
    const renamed = heads(encodeSample({ ...asic, model: 'New Model', firmware: null, site: 'other-site' }).lines);
    expect(renamed[0]).toBe(`rig,kind=asic,model=New\\ Model,rig=${asic.rig},site=other-site`);
    expect(renamed[1]).toBe(`board,board=${asic.boards[0]!.index},model=New\\ Model,rig=${asic.rig},site=other-site`);
    expect(renamed.at(-1)).toBe(`pool,pool=0,rig=${asic.rig},site=other-site`);
    // Back to the first identity: the heads follow the sample, never a stale memo.
    expect(heads(encodeSample(asic).lines)[1]).toContain(`model=${asic.model!.replace(/ /g, '\\ ')},rig=${asic.rig},site=${asic.site}`);
    if (gpu.kind !== 'gpu') throw new Error('fleet has a GPU node');
    // The per-GPU points (an inference point, when the node reports one, sits between the rig point and them).
    const gpuHeads = (lines: string) => heads(lines).filter((h) => h.startsWith('gpu,'));
    const first = gpuHeads(encodeSample(gpu).lines);
    const swapped = gpuHeads(encodeSample({ ...gpu, gpus: gpu.gpus.map((g, i) => (i === 1 ? { ...g, name: 'Other GPU' } : g)) }).lines);
    expect(swapped[0]).toBe(first[0]);
    expect(swapped[1]).toBe(`gpu,gpu=${gpu.gpus[1]!.index},model=Other\\ GPU,rig=${gpu.rig},site=${gpu.site}`);
  });
});
