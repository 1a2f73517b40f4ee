import { afterEach, describe, expect, it } from 'vitest';
import { buildAsicSample, fetchReplies, probeCgminer } from '../../agents/cgminer/index.js';
import { AsicSample } from '../../server/contract/index.js';
import { fakeMinerPool, loadRecordings, type FakeMiner } from '../helpers/fake-miner.js';
import { DEVICES, FAMILY_DEVICES } from './recordings.js';

/** Each command's reply stands on its own: a bad section costs that section, never the sample. */
const { start, closeAll } = fakeMinerPool();
afterEach(closeAll);

const commandsOf = (miner: FakeMiner): string[] => miner.requests.map((r) => (JSON.parse(r) as { command: string }).command);

describe('section isolation', () => {
  it('a stray `"}` after one reply breaks the combined reply: single commands are asked and all sections read', async () => {
    const replies = loadRecordings(DEVICES.antminerStock);
    replies['stats'] = Buffer.concat([replies['stats'] as Buffer, Buffer.from('"}')]);
    const miner = await start({ replies });
    const sample = await probeCgminer(miner.host, miner.port, { timeoutMs: 3000 });
    expect(commandsOf(miner)[0]).toBe('summary+pools+stats+version+devs');
    expect(commandsOf(miner).slice(1).sort()).toEqual(['devs', 'pools', 'stats', 'summary', 'version']);
    expect(sample.model).toBe('Antminer S19 Pro');
    expect(sample.hashrate_5s_ths).toBeCloseTo(110.56689, 6);
    expect(sample.boards.map((b) => b.chips)).toEqual([114, 114, 114]);
    expect(sample.errors).toEqual([]);
  });

  it('a section that is not JSON even alone goes to errors; the other sections still make the sample', async () => {
    const replies = loadRecordings(DEVICES.antminerStock);
    replies['stats'] = Buffer.from('{"STATUS":[{"STATUS":"S"}],"STATS":[{"Type":"Antminer S19 Pro" "GHS 5s":::}');
    const miner = await start({ replies });
    const sample = await probeCgminer(miner.host, miner.port, { timeoutMs: 3000 });
    expect(AsicSample.safeParse(sample).success).toBe(true);
    // summary and devs still give the hashrate; version still gives the model.
    expect(sample.hashrate_5s_ths).toBeCloseTo(110.56689, 6);
    expect(sample.model).toBe('Antminer S19 Pro');
    expect(sample.pools).toHaveLength(3);
    expect(sample.errors).toHaveLength(1);
    expect(sample.errors[0]).toMatch(/^stats: unreadable reply: .*'stats'.*not JSON even after repair/);
  });

  it('a garbled section inside a combined reply is asked again on its own', async () => {
    const good = loadRecordings(DEVICES.antminerStock);
    const miner = await start({ replies: { ...good, stats: '{"STATS":[{"Type":' } });
    const replies = await fetchReplies(miner.host, miner.port, ['summary', 'stats'], { timeoutMs: 3000 });
    expect(Object.keys(replies).sort()).toEqual(['stats', 'summary']);
    expect(JSON.stringify(replies['stats'])).toContain('unreadable reply');
    expect(commandsOf(miner)).toEqual(['summary+stats', 'summary', 'stats']);
  });

  it('a miner answering only `pools` yields a sample with null hashrate and the reason', async () => {
    const miner = await start({ replies: loadRecordings({ pools: DEVICES.antminerStock['pools'] as string }) });
    const sample = await probeCgminer(miner.host, miner.port, { timeoutMs: 3000 });
    expect(sample.hashrate_5s_ths).toBeNull();
    expect(sample.hashrate_avg_ths).toBeNull();
    expect(sample.boards).toEqual([]);
    expect(sample.pools.map((p) => p.active)).toEqual([true, false, false]);
    expect(sample.errors).toEqual(['no hashrate: the miner answered only pools (no summary, devs or stats)']);
  });

  it('a summary without any hashrate field says so', () => {
    const sample = buildAsicSample(
      { summary: { STATUS: [{ STATUS: 'S' }], SUMMARY: [{ Elapsed: 10 }] } },
      { site: 's', rig: 'r', ts: 1_700_000_000_000, intervalS: 30 },
    );
    expect(sample.hashrate_5s_ths).toBeNull();
    expect(sample.errors).toEqual(['no hashrate: summary held no hashrate field']);
  });
});

describe('families read over TCP', () => {
  it('an S9k whose version reply ends in a stray `"}` is read whole', async () => {
    const miner = await start({ replies: loadRecordings(FAMILY_DEVICES.s9k) });
    const sample = await probeCgminer(miner.host, miner.port, { timeoutMs: 3000 });
    expect(sample).toMatchObject({ family: 'antminer', model: 'Antminer S9k', errors: [] });
    expect(sample.boards).toHaveLength(3);
    expect(sample.fans_rpm).toEqual([2280, 3720]);
  });

  it('a sleeping Whatsminer that answers only `{"cmd":"status"}` gives a sample saying it sleeps', async () => {
    const status = loadRecordings(FAMILY_DEVICES.whatsminerM31sSleeping)['status'] as Buffer;
    const miner = await start({ replies: { '{"cmd":"status"}': status } });
    const sample = await probeCgminer(miner.host, miner.port, { timeoutMs: 3000 });
    expect(sample).toMatchObject({ family: 'whatsminer', hashrate_5s_ths: 0, status_text: 'sleeping', firmware: '20210109.22.REL' });
    expect(miner.requests).toContain('{"cmd":"status"}');
  });

  it('a Whatsminer speaking only API v3 JSON is read from get.device.info and get.miner.status', async () => {
    const files = loadRecordings(FAMILY_DEVICES.whatsminerV3);
    const miner = await start({
      replies: {
        '{"cmd":"get.device.info"}': files['get.device.info'] as Buffer,
        '{"cmd":"get.miner.status","param":"summary"}': files['get.miner.status.summary'] as Buffer,
        '{"cmd":"get.miner.status","param":"edevs"}': files['get.miner.status.edevs'] as Buffer,
        '{"cmd":"get.miner.status","param":"pools"}': files['get.miner.status.pools'] as Buffer,
      },
    });
    const sample = await probeCgminer(miner.host, miner.port, { timeoutMs: 3000 });
    expect(sample).toMatchObject({ family: 'whatsminer', model: 'Whatsminer M60S', hashrate_5s_ths: 171.259, fans_rpm: [5400, 5280] });
    expect(sample.boards.map((b) => b.chips)).toEqual([75, 75, 75]);
    expect(sample.pools.map((p) => p.active)).toEqual([true, false, false]);
  });
});
