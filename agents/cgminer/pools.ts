import type { Pool } from '../../server/contract/index.js';
import { rows, type MinerReplies } from './replies.js';
import { clip, count, num, str, type Record_ } from './units.js';

/**
 * Pools from the `pools` reply (cgminer API-README: POOL, URL, Status Alive/Dead/Disabled/Rejecting, Priority,
 * Stratum Active, Accepted, Rejected, Stale, User). The pool in use is the one with `Stratum Active` true; for
 * non-stratum pools (getwork, BFGMiner benchmark) cgminer uses the alive pool with the best priority.
 */
export function parsePools(replies: MinerReplies): Pool[] {
  const list = rows(replies['pools'], 'POOLS');
  const anyStratum = list.some((p) => p['Has Stratum'] === true || p['Stratum Active'] === true);
  const fallbackActive = anyStratum ? null : bestPriorityAlive(list);
  return list.slice(0, 16).map((p) => ({
    url: clip(str(p['URL']) ?? str(p['Stratum URL']) ?? 'unknown'),
    user: ((u) => (u ? clip(u) : null))(str(p['User'])),
    status: poolStatus(p['Status']),
    active: anyStratum ? p['Stratum Active'] === true : p === fallbackActive,
    accepted: count(p['Accepted']),
    rejected: count(p['Rejected']),
    stale: count(p['Stale']),
  }));
}

export function poolStatus(value: unknown): Pool['status'] {
  const status = (str(value) ?? '').toLowerCase();
  if (status === 'alive') return 'alive';
  if (status === 'dead' || status === 'rejecting') return 'dead';
  if (status === 'disabled') return 'disabled';
  return 'unknown';
}

function bestPriorityAlive(list: Record_[]): Record_ | null {
  const alive = list.filter((p) => poolStatus(p['Status']) === 'alive');
  alive.sort((a, b) => (num(a['Priority']) ?? 0) - (num(b['Priority']) ?? 0));
  return alive[0] ?? null;
}
