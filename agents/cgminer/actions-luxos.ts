import type { ActionRequest } from '../../server/contract/index.js';
import { answerStatus, outcomeOf, steps, type ActionIo, type ActionOutcome, type FamilyActions } from './action-io.js';
import { setPools } from './actions-cgminer.js';
import { firstRow, rows } from './replies.js';
import { num, str } from './units.js';

/**
 * LuxOS (LUXminer API, docs.luxor.tech): commands that change the miner take a session id as their first parameter.
 * `logon` opens the session (`SESSION: [{ SessionID }]`); when one is already open LuxOS refuses a second, and
 * `session` returns the open one. The session is closed with `logoff|SID` after the action.
 *  - sleep / wake      `curtail|SID,sleep` / `curtail|SID,wakeup`
 *  - restart           `resetminer|SID` (restarts the mining process, not the whole device)
 *  - power_target      the profile from `profiles` whose Watts is the highest not above the target (watts, or
 *                      percent of the largest profile's Watts); ATM is switched off first (`atmset|SID,enabled=false`)
 *                      because it would move the profile again, then `profileset|SID,PROFILE`
 *  - pools             `switchpool|N`, `addpool|URL,USER,PASS`, `removepool|N` (no session needed)
 */
export const luxosActions: FamilyActions = {
  supports: ['restart', 'sleep', 'wake', 'power_target', 'pool_switch', 'pool_set'],
  async run(request, io) {
    if (request.action === 'pool_switch') {
      return outcomeOf(await io.command('switchpool', String(request.pool)), `switch to pool ${request.pool}`);
    }
    if (request.action === 'pool_set') return setPools(io, request.pools);
    const session = await openSession(io);
    if ('failed' in session) return session.failed;
    try {
      return await withSession(request, io, session.id);
    } finally {
      await io.command('logoff', session.id).catch(() => undefined);
    }
  },
};

async function openSession(io: ActionIo): Promise<{ id: string } | { failed: ActionOutcome }> {
  const logon = await io.command('logon');
  const id = str(firstRow(logon, 'SESSION')?.['SessionID']);
  if (answerStatus(logon).ok && id) return { id };
  const current = await io.command('session');
  const open = str(firstRow(current, 'SESSION')?.['SessionID']);
  if (open) return { id: open };
  return { failed: { ...outcomeOf(logon, 'logon'), ok: false, code: 'miner_error' } };
}

async function withSession(request: ActionRequest, io: ActionIo, sid: string): Promise<ActionOutcome> {
  switch (request.action) {
    case 'sleep':
      return outcomeOf(await io.command('curtail', `${sid},sleep`), 'curtail sleep');
    case 'wake':
      return outcomeOf(await io.command('curtail', `${sid},wakeup`), 'curtail wakeup');
    case 'restart':
      return outcomeOf(await io.command('resetminer', sid), 'reset miner');
    case 'power_target': {
      const profiles = rows(await io.command('profiles'), 'PROFILES')
        .map((p) => ({ name: str(p['Profile Name']), watts: num(p['Watts']) }))
        .filter((p): p is { name: string; watts: number } => p.name !== null && p.watts !== null)
        .sort((a, b) => a.watts - b.watts);
      const largest = profiles.at(-1);
      if (!largest) return { ok: false, code: 'miner_error', message: 'the miner lists no profiles', answer: null };
      const target = request.watts ?? (largest.watts * (request.percent ?? 100)) / 100;
      const below = profiles.filter((p) => p.watts <= target);
      const chosen = below.at(-1) ?? (profiles[0] as { name: string; watts: number });
      const result = await steps(io, [
        ['atmset', `${sid},enabled=false`, 'switch ATM off'],
        ['profileset', `${sid},${chosen.name}`, `profile ${chosen.name} (${chosen.watts} W)`],
      ]);
      const note = below.length === 0 ? ` (lowest profile; none at or below ${Math.round(target)} W)` : '';
      return result.ok ? { ...result, message: `${result.message}${note}` } : result;
    }
    default:
      return { ok: false, code: 'unsupported_action', message: `${request.action} is not supported on luxos miners`, answer: null };
  }
}
