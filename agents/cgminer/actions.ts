import type { ActionRequest } from '../../server/contract/index.js';
import { minerIo, type FamilyActions, type MinerSecrets, type ActionOutcome } from './action-io.js';
import { avalonActions } from './actions-avalon.js';
import { braiinsActions } from './actions-braiins.js';
import { cgminerActions } from './actions-cgminer.js';
import { luxosActions } from './actions-luxos.js';
import { whatsminerActions } from './actions-whatsminer.js';
import { fetchReplies } from './client.js';
import { identify, type MinerFamily } from './family.js';

/** Each family's action driver, mapped to the miner's own API (one file per family beside its read code). */
export const FAMILY_ACTIONS: Record<MinerFamily, FamilyActions> = {
  antminer: cgminerActions,
  bfgminer: cgminerActions,
  cgminer: cgminerActions,
  vnish: cgminerActions,
  // Antminer firmware forks keep bmminer's cgminer API (restart, pools).
  hiveon: cgminerActions,
  asicseer: cgminerActions,
  mskminer: cgminerActions,
  blissz: cgminerActions,
  auradine: cgminerActions,
  sealminer: cgminerActions,
  luxos: luxosActions,
  braiins: braiinsActions,
  whatsminer: whatsminerActions,
  avalon: avalonActions,
};

/** The commands family detection reads (no change to the miner). */
const DETECT_COMMANDS = ['version', 'stats', 'summary', 'devs'] as const;

export interface MinerActionOptions {
  /** Skip detection when the config names the family. */
  family?: MinerFamily;
  secrets?: MinerSecrets;
  timeoutMs?: number;
}

export interface MinerActionResult extends ActionOutcome {
  family: MinerFamily | null;
}

/**
 * Runs one action against one miner: detects its family (read-only requests), refuses an action the family lacks
 * with `unsupported_action` before sending anything that changes the miner, then runs the family's driver. Never
 * throws: a miner that cannot be reached gives `unreachable`.
 */
export async function runMinerAction(host: string, port: number, request: ActionRequest, options: MinerActionOptions = {}): Promise<MinerActionResult> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  let family: MinerFamily;
  try {
    family = options.family ?? identify(await fetchReplies(host, port, DETECT_COMMANDS, { timeoutMs })).family;
  } catch (err) {
    return { ok: false, code: 'unreachable', message: `cannot read the miner: ${(err as Error).message}`, answer: null, family: null };
  }
  const driver = FAMILY_ACTIONS[family];
  if (!driver.supports.includes(request.action)) {
    return { ok: false, code: 'unsupported_action', message: `${request.action} is not supported on ${family} miners (supported: ${driver.supports.join(', ')})`, answer: null, family };
  }
  try {
    return { ...(await driver.run(request, minerIo(host, port, { timeoutMs }), options.secrets ?? {})), family };
  } catch (err) {
    return { ok: false, code: 'unreachable', message: (err as Error).message, answer: null, family };
  }
}
