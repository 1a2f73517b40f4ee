import type { AsicModel } from '../models/asic-models.js';
import { hasChainStats, parseAntminerStats } from './antminer.js';
import { parseAuradine } from './auradine.js';
import { parseAvalon } from './avalon.js';
import { parseDevs } from './devs.js';
import { applyExtras } from './extras.js';
import type { MinerFamily } from './family.js';
import type { Hardware } from './hardware.js';
import type { MinerReplies } from './replies.js';
import { parseSealminer } from './sealminer.js';
import { parseWhatsminer } from './whatsminer.js';

/**
 * One driver per miner family, like telegraf's one folder per input: what to read besides the base commands, and
 * the pure parser from replies to hardware. Identification is family.ts; operator actions per family are meant to
 * join each entry here (`supportedActions`).
 */
export interface FamilyDriver {
  /** Commands worth one more request for this family (the base request is summary+pools+stats+version+devs). */
  readonly extraCommands: readonly string[];
  /** Boards, fans, power and the family's own figures from one poll's replies (pure). */
  parse(replies: MinerReplies, model: AsicModel | null): Hardware;
}

/** bmminer's stats layout: stock Antminer firmware and the firmware built on it. */
const bmminerStats: FamilyDriver = {
  extraCommands: [],
  parse: (replies, model) => applyExtras(parseAntminerStats(replies, model), replies, model),
};

export const DRIVERS: Readonly<Record<MinerFamily, FamilyDriver>> = {
  antminer: bmminerStats,
  hiveon: bmminerStats,
  asicseer: bmminerStats,
  mskminer: bmminerStats,
  blissz: bmminerStats,
  vnish: bmminerStats,
  luxos: { extraCommands: ['fans', 'temps', 'power', 'config'], parse: bmminerStats.parse },
  braiins: {
    extraCommands: ['fans', 'temps', 'tunerstatus', 'devdetails'],
    // BOSminer reports one `devs` record per chain; the bmminer-based Braiins OS of 2019 bmminer's chain stats.
    parse: (replies, model) =>
      applyExtras(hasChainStats(replies) ? parseAntminerStats(replies, model) : parseDevs(replies, model), replies, model),
  },
  // M30-series firmware answers `edevs` where older firmware answered `devs`.
  whatsminer: { extraCommands: ['edevs', 'devdetails'], parse: parseWhatsminer },
  avalon: { extraCommands: [], parse: (replies) => parseAvalon(replies) },
  sealminer: { extraCommands: [], parse: (replies) => parseSealminer(replies) },
  auradine: { extraCommands: ['fan', 'temperature', 'psu', 'asccount', 'ipreport'], parse: parseAuradine },
  bfgminer: { extraCommands: [], parse: parseDevs },
  cgminer: {
    extraCommands: [],
    // Generic cgminer: Antminer-style chain stats when present (many clones copy bmminer), devs otherwise.
    parse: (replies, model) => (hasChainStats(replies) ? parseAntminerStats(replies, model) : parseDevs(replies, model)),
  },
};

/**
 * Whatsminer API v2 commands (`{"cmd":…}`), asked when a miner gives no usable cgminer reply: a sleeping Whatsminer
 * answers only these. Then API v3 (`get.device.info`, `get.miner.status`) for firmware that speaks only that.
 * Keys are the names the replies are filed under for the parser.
 */
export const WHATSMINER_API_V2: readonly { key: string; request: Record<string, unknown> }[] = [
  { key: 'status', request: { cmd: 'status' } },
  { key: 'get_version', request: { cmd: 'get_version' } },
  { key: 'get_miner_info', request: { cmd: 'get_miner_info' } },
];
export const WHATSMINER_API_V3: readonly { key: string; request: Record<string, unknown> }[] = [
  { key: 'get.device.info', request: { cmd: 'get.device.info' } },
  { key: 'get.miner.status.summary', request: { cmd: 'get.miner.status', param: 'summary' } },
  { key: 'get.miner.status.edevs', request: { cmd: 'get.miner.status', param: 'edevs' } },
  { key: 'get.miner.status.pools', request: { cmd: 'get.miner.status', param: 'pools' } },
];
