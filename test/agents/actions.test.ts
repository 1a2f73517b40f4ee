import { afterEach, describe, expect, it } from 'vitest';
import { runMinerAction } from '../../agents/cgminer/actions.js';
import { decryptAnswer, encryptCommand, whatsminerToken } from '../../agents/cgminer/actions-whatsminer.js';
import { parseExecAction } from '../../agents/exec.js';
import { loadRecordings, startFakeMiner, type FakeMiner, type FakeMinerOptions } from '../helpers/fake-miner.js';
import { DEVICES } from './recordings.js';

/**
 * Per family: the exact request each supported action sends to the miner (a real TCP fake answering from
 * recordings, see test/fixtures/asic/SOURCE.md) and the answer as parsed; unsupported actions are refused before
 * anything that changes the miner is sent.
 */
const miners: FakeMiner[] = [];
afterEach(async () => {
  await Promise.all(miners.splice(0).map((m) => m.close()));
});

async function fake(options: FakeMinerOptions): Promise<FakeMiner> {
  const miner = await startFakeMiner(options);
  miners.push(miner);
  return miner;
}

const READS = new Set(['version', 'stats', 'summary', 'devs', 'version+stats+summary+devs']);
/** Requests that are not family detection (reads): what the action itself sent. */
function actionRequests(miner: FakeMiner): unknown[] {
  return miner.requests.map((r) => JSON.parse(r) as { command?: string }).filter((r) => !READS.has(String(r.command)));
}

describe('generic cgminer API (BFGMiner, stock Antminer)', () => {
  it('restart sends {"command":"restart"} and reports the real "Access denied" answer as the miner refusing', async () => {
    const miner = await fake({
      replies: { ...loadRecordings(DEVICES.bfgminer), restart: loadRecordings({ r: 'bfgminer/restart_access_denied.json' }).r as Buffer },
    });
    const result = await runMinerAction(miner.host, miner.port, { action: 'restart' });
    expect(actionRequests(miner)).toEqual([{ command: 'restart' }]);
    expect(result).toMatchObject({ ok: false, code: 'miner_error', family: 'bfgminer' });
    expect(result.message).toBe("restart refused by the miner: Access denied to 'restart' command (code 45)");
  });

  it('pool_switch sends switchpool|N and parses the answer', async () => {
    const miner = await fake({
      replies: { ...loadRecordings(DEVICES.antminerStock), ...loadRecordings({ switchpool: 'actions/cgminer_switchpool.json' }) },
    });
    const result = await runMinerAction(miner.host, miner.port, { action: 'pool_switch', pool: 1 });
    expect(actionRequests(miner)).toEqual([{ command: 'switchpool', parameter: '1' }]);
    expect(result).toMatchObject({ ok: true, code: 'ok', family: 'antminer' });
    expect(result.message).toContain("Switching to pool 1:'stratum+tcp://backup.example:3333'");
  });

  it('pool_set adds the new pools, switches to the first, then removes the old ones highest first', async () => {
    const miner = await fake({
      replies: {
        ...loadRecordings(DEVICES.antminerStock),
        ...loadRecordings({ addpool: 'actions/cgminer_addpool.json', switchpool: 'actions/cgminer_switchpool.json', removepool: 'actions/cgminer_removepool.json' }),
      },
    });
    const pools = [{ url: 'stratum+tcp://new.example:3333', user: 'acct.w1', password: 'x' }];
    const result = await runMinerAction(miner.host, miner.port, { action: 'pool_set', pools });
    const oldPools = (JSON.parse(loadRecordings({ p: DEVICES.antminerStock.pools as string }).p?.toString() ?? '{}') as { POOLS: unknown[] }).POOLS.length;
    expect(oldPools).toBeGreaterThan(0);
    expect(actionRequests(miner)).toEqual([
      { command: 'pools' },
      { command: 'addpool', parameter: 'stratum+tcp://new.example:3333,acct.w1,x' },
      { command: 'switchpool', parameter: String(oldPools) },
      ...Array.from({ length: oldPools }, (_, i) => ({ command: 'removepool', parameter: String(oldPools - 1 - i) })),
    ]);
    expect(result).toMatchObject({ ok: true, code: 'ok', message: 'pools set: stratum+tcp://new.example:3333' });
  });

  it('refuses sleep on stock Antminer before sending anything but the detection reads', async () => {
    const miner = await fake({ replies: loadRecordings(DEVICES.antminerStock) });
    const result = await runMinerAction(miner.host, miner.port, { action: 'sleep' });
    expect(result).toMatchObject({ ok: false, code: 'unsupported_action', family: 'antminer' });
    expect(actionRequests(miner)).toEqual([]);
  });

  it('a miner that is not there is unreachable', async () => {
    const miner = await fake({ replies: {} });
    await miner.close();
    miners.pop();
    const result = await runMinerAction(miner.host, miner.port, { action: 'restart' }, { timeoutMs: 2000 });
    expect(result).toMatchObject({ ok: false, code: 'unreachable', family: null });
  });
});

describe('Avalon (ascset, real Avalon Q recordings)', () => {
  const replies = (): Record<string, Buffer> => {
    const asc = loadRecordings({
      off: 'asicrs__avalon-q__ascset_softoff.json',
      on: 'asicrs__avalon-q__ascset_softon.json',
      mode: 'asicrs__avalon-q__ascset_workmode.json',
    });
    return { ...loadRecordings(DEVICES.avalonQ), 'ascset|0,workmode,set,0': asc.mode as Buffer, ascsetOff: asc.off as Buffer, ascsetOn: asc.on as Buffer };
  };
  const respond = (r: Record<string, Buffer>) => (payload: string): Buffer | undefined => {
    const req = JSON.parse(payload) as { command?: string; parameter?: string };
    if (req.command !== 'ascset') return undefined;
    if (req.parameter?.startsWith('0,softoff,')) return r.ascsetOff;
    if (req.parameter?.startsWith('0,softon,')) return r.ascsetOn;
    return undefined;
  };

  it('sleep sends ascset|0,softoff,<now+5 s> and parses "success softoff"', async () => {
    const r = replies();
    const miner = await fake({ replies: r, respond: respond(r) });
    const before = Math.floor(Date.now() / 1000);
    const result = await runMinerAction(miner.host, miner.port, { action: 'sleep' });
    const sent = actionRequests(miner) as { command: string; parameter: string }[];
    expect(sent).toHaveLength(1);
    expect(sent[0]?.command).toBe('ascset');
    const [, verb, at] = (sent[0]?.parameter ?? '').split(',');
    expect(verb).toBe('softoff');
    expect(Number(at) - before).toBeGreaterThanOrEqual(5);
    expect(Number(at) - before).toBeLessThanOrEqual(7);
    expect(result).toMatchObject({ ok: true, code: 'ok', family: 'avalon', message: 'soft off: ASC 0 set info: success softoff:1753434821' });
  });

  it('wake sends softon; power_target percent sends workmode; watts are refused before sending', async () => {
    const r = replies();
    const miner = await fake({ replies: r, respond: respond(r) });
    const wake = await runMinerAction(miner.host, miner.port, { action: 'wake' });
    expect(wake).toMatchObject({ ok: true, message: 'soft on: ASC 0 set info: success softon:1753434757' });
    const mode = await runMinerAction(miner.host, miner.port, { action: 'power_target', percent: 60 }, { family: 'avalon' });
    expect(mode).toMatchObject({ ok: true, message: 'work mode eco: ASC 0 set OK' });
    const watts = await runMinerAction(miner.host, miner.port, { action: 'power_target', watts: 3000 }, { family: 'avalon' });
    expect(watts).toMatchObject({ ok: false, code: 'unsupported_action' });
    const sent = actionRequests(miner) as { command: string; parameter: string }[];
    expect(sent.map((s) => s.parameter.split(',').slice(0, 2).join(','))).toEqual(['0,softon', '0,workmode']);
    expect(sent[1]).toEqual({ command: 'ascset', parameter: '0,workmode,set,0' });
  });
});

describe('LuxOS (logon sessions, curtail, profiles)', () => {
  const base = (): Record<string, Buffer> => ({
    ...loadRecordings(DEVICES.luxos),
    ...loadRecordings({
      logon: 'actions/luxos_logon.json',
      curtail: 'actions/luxos_curtail_sleep.json',
      logoff: 'actions/luxos_ok.json',
      atmset: 'actions/luxos_ok.json',
      profileset: 'actions/luxos_ok.json',
      profiles: 'asicrs__luxos-s19k-pro-2025.4.8__profiles.json',
    }),
  });

  it('sleep: logon, curtail|SID,sleep, logoff', async () => {
    const miner = await fake({ replies: base() });
    const result = await runMinerAction(miner.host, miner.port, { action: 'sleep' });
    expect(actionRequests(miner)).toEqual([
      { command: 'logon' },
      { command: 'curtail', parameter: 'SfgBhyQH,sleep' },
      { command: 'logoff', parameter: 'SfgBhyQH' },
    ]);
    expect(result).toMatchObject({ ok: true, family: 'luxos', message: 'curtail sleep: Curtail: sleep' });
  });

  it('uses the open session when logon is refused, and power_target picks the highest profile under the target', async () => {
    const miner = await fake({
      replies: { ...base(), ...loadRecordings({ logon: 'actions/luxos_logon_busy.json', session: 'actions/luxos_session.json' }) },
    });
    const result = await runMinerAction(miner.host, miner.port, { action: 'power_target', watts: 1000 }, { family: 'luxos' });
    expect(actionRequests(miner)).toEqual([
      { command: 'logon' },
      { command: 'session' },
      { command: 'profiles' },
      { command: 'atmset', parameter: 'OPEN1234,enabled=false' },
      { command: 'profileset', parameter: 'OPEN1234,240MHz' },
      { command: 'logoff', parameter: 'OPEN1234' },
    ]);
    expect(result).toMatchObject({ ok: true, message: 'profile 240MHz (978 W): OK' });
  });
});

describe('Braiins OS (pause / resume)', () => {
  it('sleep sends pause; restart is refused with nothing sent at all', async () => {
    const miner = await fake({ replies: loadRecordings({ pause: 'actions/bosminer_pause.json' }) });
    const sleep = await runMinerAction(miner.host, miner.port, { action: 'sleep' }, { family: 'braiins' });
    expect(sleep).toMatchObject({ ok: true, message: 'pause: Paused' });
    const restart = await runMinerAction(miner.host, miner.port, { action: 'restart' }, { family: 'braiins' });
    expect(restart).toMatchObject({ ok: false, code: 'unsupported_action' });
    expect(miner.requests.map((r) => JSON.parse(r) as unknown)).toEqual([{ command: 'pause' }]);
  });
});

describe('Whatsminer API v2 (token, AES)', () => {
  it('md5-crypt matches the crypt(3) reference vector the token is built from', () => {
    // `openssl passwd -1 -salt saltsalt password` → $1$saltsalt$qjXMvbEw8oaL.CzflDtaK/
    expect(whatsminerToken('password', '0', 'saltsalt', 'x').key).toBe('qjXMvbEw8oaL.CzflDtaK/');
  });

  function whatsminer(password: string, seen: unknown[]): FakeMinerOptions {
    const recorded = loadRecordings({ token: 'actions/whatsminer_get_token.json', ok: 'actions/whatsminer_ok.json', err: 'actions/whatsminer_token_error.json' });
    const token = whatsminerToken(password, '4007', 'BQ5hoXV9', 'd0O8qyjf');
    return {
      replies: loadRecordings(DEVICES.whatsminerV2),
      respond(payload) {
        const req = JSON.parse(payload) as { cmd?: string; enc?: number; data?: string };
        if (req.cmd === 'get_token') return recorded.token;
        if (req.enc !== 1 || !req.data) return undefined;
        let command: { token?: string };
        try {
          command = decryptAnswer(token.key, req.data) as { token?: string };
        } catch {
          return recorded.err;
        }
        seen.push(command);
        if (command.token !== token.sign) return recorded.err;
        const answer = JSON.parse(recorded.ok?.toString() ?? '{}') as Record<string, string>;
        return JSON.stringify({ enc: (JSON.parse(encryptCommand(token.key, answer)) as { data: string }).data });
      },
    };
  }

  it('sleep sends the encrypted power_off with the signed token and decrypts the answer', async () => {
    const seen: unknown[] = [];
    const miner = await fake(whatsminer('s3cret-admin', seen));
    const result = await runMinerAction(miner.host, miner.port, { action: 'sleep' }, { secrets: { password: 's3cret-admin' } });
    const sign = whatsminerToken('s3cret-admin', '4007', 'BQ5hoXV9', 'd0O8qyjf').sign;
    expect(seen).toEqual([{ cmd: 'power_off', respbefore: 'true', token: sign }]);
    expect(result).toMatchObject({ ok: true, family: 'whatsminer', message: 'power off: API command OK' });
    // The password never crosses the wire.
    expect(miner.requests.some((r) => r.includes('s3cret-admin'))).toBe(false);
  });

  it('power_target watts/percent and the wrong password', async () => {
    const seen: unknown[] = [];
    const miner = await fake(whatsminer('right', seen));
    await runMinerAction(miner.host, miner.port, { action: 'power_target', watts: 3100 }, { family: 'whatsminer', secrets: { password: 'right' } });
    await runMinerAction(miner.host, miner.port, { action: 'power_target', percent: 80 }, { family: 'whatsminer', secrets: { password: 'right' } });
    expect(seen.map((s) => ({ ...(s as object), token: undefined }))).toEqual([
      { cmd: 'adjust_power_limit', power_limit: '3100', token: undefined },
      { cmd: 'set_power_pct', percent: '80', token: undefined },
    ]);
    const wrong = await runMinerAction(miner.host, miner.port, { action: 'wake' }, { family: 'whatsminer', secrets: { password: 'wrong' } });
    expect(wrong).toMatchObject({ ok: false, code: 'miner_error', message: 'power on refused by the miner: check token err (code 135)' });
    const noPassword = await runMinerAction(miner.host, miner.port, { action: 'wake' }, { family: 'whatsminer' });
    expect(noPassword).toMatchObject({ ok: false, code: 'miner_error' });
    const pool = await runMinerAction(miner.host, miner.port, { action: 'pool_switch', pool: 0 }, { family: 'whatsminer', secrets: { password: 'right' } });
    expect(pool.code).toBe('unsupported_action');
  });
});

describe('rigline-agent exec arguments', () => {
  it('parses each action form and refuses bad ones', () => {
    expect(parseExecAction('power_target', ['3000W'])).toEqual({ action: 'power_target', watts: 3000 });
    expect(parseExecAction('power_target', ['75%'])).toEqual({ action: 'power_target', percent: 75 });
    expect(parseExecAction('pool_switch', ['2'])).toEqual({ action: 'pool_switch', pool: 2 });
    expect(parseExecAction('pool_set', ['stratum+tcp://a:3333', 'u.1', 'stratum+tcp://b:3333', 'u.2', 'p'])).toEqual({
      action: 'pool_set',
      pools: [
        { url: 'stratum+tcp://a:3333', user: 'u.1', password: 'x' },
        { url: 'stratum+tcp://b:3333', user: 'u.2', password: 'p' },
      ],
    });
    expect(() => parseExecAction('explode', [])).toThrow(/unknown action/);
    expect(() => parseExecAction('power_target', ['lots'])).toThrow(/watts/);
    expect(() => parseExecAction('pool_switch', ['x'])).toThrow(/pool/);
  });
});
