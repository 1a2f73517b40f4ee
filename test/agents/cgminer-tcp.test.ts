import { afterEach, describe, expect, it } from 'vitest';
import {
  buildAsicSample,
  cgminerCommand,
  cgminerRequest,
  createCgminerSource,
  fetchReplies,
  probeCgminer,
} from '../../agents/cgminer/index.js';
import { AsicSample } from '../../server/contract/index.js';
import { fakeMinerPool, loadRecordings } from '../helpers/fake-miner.js';
import { DEVICES } from './recordings.js';

/** The thin I/O part against real TCP servers replaying recorded bytes. */
const { start, closeAll } = fakeMinerPool();
afterEach(closeAll);

describe('cgminer client over TCP', () => {
  it('reads an exact BFGMiner reply up to its trailing NUL', async () => {
    const raw = loadRecordings({ summary: 'bfgminer/summary.raw' });
    expect(raw['summary']?.at(-1)).toBe(0);
    const miner = await start({ replies: raw });
    const bytes = await cgminerRequest(miner.host, miner.port, '{"command":"summary"}', { timeoutMs: 2000 });
    expect(bytes.equals((raw['summary'] as Buffer).subarray(0, -1))).toBe(true);
    expect(miner.requests).toEqual(['{"command":"summary"}']);
  });

  it('accepts a reply that ends at close without a NUL', async () => {
    const miner = await start({ replies: loadRecordings({ summary: 'bfgminer/summary.json' }), terminateWithNul: false });
    const reply = (await cgminerCommand(miner.host, miner.port, 'summary', { timeoutMs: 2000 })) as { SUMMARY: unknown[] };
    expect(reply.SUMMARY).toHaveLength(1);
  });

  it('finishes at the end of the JSON document when the firmware neither sends NUL nor closes', async () => {
    const miner = await start({
      replies: loadRecordings({ summary: 'bfgminer/summary.json' }),
      terminateWithNul: false,
      behaviour: 'keep-open',
    });
    const reply = (await cgminerCommand(miner.host, miner.port, 'summary', { timeoutMs: 5000 })) as { SUMMARY: unknown[] };
    expect(reply.SUMMARY).toHaveLength(1);
  });

  it('unwraps the recorded multi-command reply into one reply per command', async () => {
    const miner = await start({
      replies: loadRecordings({ 'summary+devs+stats+version': 'bfgminer/multi_summary+devs+stats+version.raw' }),
    });
    const replies = await fetchReplies(miner.host, miner.port, ['summary', 'devs', 'stats', 'version'], { timeoutMs: 2000 });
    expect(Object.keys(replies).sort()).toEqual(['devs', 'stats', 'summary', 'version']);
    expect(replies['version']?.['VERSION']).toEqual([{ Miner: 'bfgminer 5.5.0-34-g866fd36f', CGMiner: '5.5.0-34-g866fd36f', API: '3.1' }]);
    expect(miner.requests).toHaveLength(1);
  });

  it('builds a sample from the recorded BFGMiner summary+pools multi-command reply', async () => {
    const miner = await start({ replies: loadRecordings({ 'summary+pools': 'bfgminer/multi_summary+pools.raw' }) });
    const replies = await fetchReplies(miner.host, miner.port, ['summary', 'pools'], { timeoutMs: 2000 });
    const sample = buildAsicSample(replies, { site: 'lab', rig: 'cpu-1', ts: 1_700_000_000_000, intervalS: 30 });
    expect(sample.hashrate_5s_ths).toBeCloseTo(4.302e-6, 12);
    expect(sample.hashrate_avg_ths).toBeCloseTo(5.554e-6, 12);
    expect(sample.pools).toEqual([{ url: 'Benchmark', user: 'Benchmark', status: 'alive', active: true, accepted: 0, rejected: 0, stale: 0 }]);
  });

  it('keeps the error sections of a multi-command reply as error replies', async () => {
    const miner = await start({
      replies: loadRecordings({ 'summary+estats+restart': 'bfgminer/multi_with_invalid_summary+estats+restart.raw' }),
    });
    const replies = await fetchReplies(miner.host, miner.port, ['summary', 'estats', 'restart'], { timeoutMs: 2000 });
    expect((replies['estats']?.['STATUS'] as { Msg: string }[])[0]?.Msg).toBe('Invalid command');
    expect((replies['restart']?.['STATUS'] as { Code: number }[])[0]?.Code).toBe(45);
  });

  it('falls back to one command per connection when the firmware does not do multi-command', async () => {
    const miner = await start({ replies: loadRecordings(DEVICES.whatsminerV2), multi: false });
    const replies = await fetchReplies(miner.host, miner.port, ['summary', 'pools', 'devs'], { timeoutMs: 2000 });
    expect(Object.keys(replies).sort()).toEqual(['devs', 'pools', 'summary']);
    expect(miner.requests.map((r) => JSON.parse(r).command).sort()).toEqual(['devs', 'pools', 'summary', 'summary+pools+devs']);
  });

  it('fails within the timeout when the miner accepts but never answers', async () => {
    const miner = await start({ replies: {}, behaviour: 'dead' });
    await expect(cgminerRequest(miner.host, miner.port, '{"command":"summary"}', { timeoutMs: 300 })).rejects.toThrow(
      /no complete reply within 300 ms/,
    );
  });

  it('names a refused connection', async () => {
    const miner = await start({ replies: {} });
    const { host, port } = miner;
    await miner.close();
    await expect(cgminerRequest(host, port, '{"command":"summary"}', { timeoutMs: 1000 })).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('probeCgminer', () => {
  it('returns a wire sample for a LuxOS miner, extra commands included', async () => {
    const miner = await start({ host: '127.0.1.21', replies: loadRecordings(DEVICES.luxos) });
    const sample = await probeCgminer(miner.host, miner.port, { timeoutMs: 3000 });
    expect(AsicSample.parse(sample)).toEqual(sample);
    expect(sample.family).toBe('luxos');
    expect(sample.power_w).toBe(1051);
    expect(sample.power_source).toBe('miner');
    expect(sample.nameplate_ths).toBe(121.8);
    const commands = miner.requests.map((r) => JSON.parse(r).command);
    expect(commands).toEqual(['summary+pools+stats+version+devs', 'fans+temps+power+config']);
  });

  it('reads BFGMiner exact bytes, NUL terminators included', async () => {
    const miner = await start({ host: '127.0.1.22', replies: loadRecordings(DEVICES.bfgminer) });
    const sample = await probeCgminer(miner.host, miner.port, { timeoutMs: 3000 });
    expect(sample.family).toBe('bfgminer');
    expect(sample.hashrate_avg_ths).toBeCloseTo(5.456e-6, 12);
  });

  it('says clearly when nothing listens', async () => {
    const miner = await start({ replies: {} });
    const { host, port } = miner;
    await miner.close();
    await expect(probeCgminer(host, port, { timeoutMs: 1000 })).rejects.toThrow(`${host}:${port}: ECONNREFUSED`);
  });

  it('says clearly when the port answers something that is not the miner API', async () => {
    const miner = await start({ replies: {}, behaviour: 'garbage' });
    await expect(probeCgminer(miner.host, miner.port, { timeoutMs: 1000 })).rejects.toThrow(/not JSON even after repair/);
  });
});

describe('createCgminerSource', () => {
  it('a dead miner gives an error within its timeout while another miner polls fine', async () => {
    const alive = await start({ host: '127.0.1.31', replies: loadRecordings(DEVICES.antminerStock) });
    const dead = await start({ host: '127.0.1.32', replies: loadRecordings(DEVICES.antminerStock), behaviour: 'dead' });
    const common = { site: 'site-a', intervalS: 30, timeoutMs: 500 };
    const good = createCgminerSource({ ...common, rig: 'good', host: alive.host, port: alive.port });
    const bad = createCgminerSource({ ...common, rig: 'bad', host: dead.host, port: dead.port });

    const finished: string[] = [];
    const [badResult, goodResult] = await Promise.all([
      bad.poll().finally(() => finished.push('bad')),
      good.poll().finally(() => finished.push('good')),
    ]);
    // The healthy miner's sample does not wait for the dead one's timeout.
    expect(finished).toEqual(['good', 'bad']);
    expect(badResult).toEqual({ ok: false, error: expect.stringMatching(/127\.0\.1\.32:\d+: no complete reply within/) });
    expect(goodResult.ok).toBe(true);
    if (!goodResult.ok) return;
    const sample = goodResult.samples[0] as AsicSample;
    expect(sample).toMatchObject({ site: 'site-a', rig: 'good', family: 'antminer', model: 'Antminer S19 Pro', seq: 0 });
    expect(sample.power_source).toBe('estimated');
  });

  it('recovers when a slow miner speeds up again, and counts its samples', async () => {
    const miner = await start({ host: '127.0.1.33', replies: loadRecordings(DEVICES.avalonQ), behaviour: 'slow', delayMs: 2000 });
    const source = createCgminerSource({ site: 'site-a', rig: 'avalon', host: miner.host, port: miner.port, intervalS: 30, timeoutMs: 300 });
    const first = await source.poll();
    expect(first.ok).toBe(false);
    miner.setBehaviour('ok');
    const second = await source.poll();
    expect(second.ok).toBe(true);
    if (second.ok) expect(second.samples[0]).toMatchObject({ family: 'avalon', model: 'Avalon Q', seq: 0 });
    const third = await source.poll();
    if (third.ok) expect(third.samples[0]?.seq).toBe(1);
  });
});
