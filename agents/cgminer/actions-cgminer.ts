import type { ActionRequest } from '../../server/contract/index.js';
import { escapeParam, outcomeOf, steps, unsupported, type ActionIo, type ActionOutcome, type FamilyActions } from './action-io.js';
import { rows } from './replies.js';

/**
 * Actions through the plain cgminer API (cgminer API-README, privileged commands; the miner must allow them with
 * `--api-allow W:…`, otherwise it answers "Access denied" code 45, which is reported as the miner's refusal):
 *  - restart      `restart`
 *  - pool_switch  `switchpool|N`
 *  - pool_set     `addpool|URL,USER,PASS` per new pool, `switchpool` to the first new one, then `removepool|N` for
 *                 each old pool, highest index first so the remaining indexes stay valid. The old pools are
 *                 removed only once every new pool was added, so a refused `addpool` leaves the miner as it was.
 * Used for stock Antminer (bmminer), BFGMiner, generic cgminer, Vnish (bmminer-based API), Auradine and SealMiner.
 */
export const cgminerActions: FamilyActions = {
  supports: ['restart', 'pool_switch', 'pool_set'],
  run: (request, io) => runCgminerAction(request, io, 'cgminer'),
};

export async function runCgminerAction(request: ActionRequest, io: ActionIo, family: string): Promise<ActionOutcome> {
  switch (request.action) {
    case 'restart':
      return outcomeOf(await io.command('restart'), 'restart');
    case 'pool_switch':
      return outcomeOf(await io.command('switchpool', String(request.pool)), `switch to pool ${request.pool}`);
    case 'pool_set':
      return setPools(io, request.pools);
    default:
      return unsupported(family, request.action);
  }
}

export async function setPools(io: ActionIo, pools: readonly { url: string; user: string; password: string }[]): Promise<ActionOutcome> {
  const before = rows(await io.command('pools'), 'POOLS').length;
  const adds = pools.map((p) => ['addpool', [p.url, p.user, p.password].map(escapeParam).join(','), `add pool ${p.url}`] as [string, string, string]);
  const added = await steps(io, adds);
  if (!added.ok) return added;
  const switched = await steps(io, [['switchpool', String(before), `switch to pool ${before}`]]);
  if (!switched.ok) return switched;
  const removals: [string, string, string][] = [];
  for (let i = before - 1; i >= 0; i--) removals.push(['removepool', String(i), `remove old pool ${i}`]);
  const removed = await steps(io, removals);
  return removed.ok ? { ...removed, message: `pools set: ${pools.map((p) => p.url).join(', ')}` } : removed;
}
