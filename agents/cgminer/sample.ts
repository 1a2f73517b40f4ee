import { AsicSample, SCHEMA_VERSION } from '../../server/contract/index.js';
import { findAsicModel } from '../models/asic-models.js';
import { parseAntminerStats } from './antminer.js';
import { parseAuradine } from './auradine.js';
import { parseAvalon } from './avalon.js';
import { parseSealminer } from './sealminer.js';
import { parseDevs, parseWhatsminer } from './devs.js';
import { applyExtras } from './extras.js';
import { identify, type Identity, type MinerFamily } from './family.js';
import { sum, type Hardware } from './hardware.js';
import { parsePools } from './pools.js';
import { decidePower, type PowerFigure } from './power.js';
import { firstRow, rows, usableReplies, type MinerReplies } from './replies.js';
import { averageHashrateThs, clip, num, round, shortHashrateThs } from './units.js';

export interface SampleContext {
  site: string;
  rig: string;
  ts: number;
  intervalS: number;
  seq?: number;
  /** Reading of an external power meter for this miner, if the agent has one. */
  measuredPowerW?: number | null;
}

/** The fields every ASIC sample starts with: identity, time, cadence and power with its provenance. */
export function sampleHeader(ctx: SampleContext, power: PowerFigure): Pick<AsicSample, 'schema' | 'kind' | 'site' | 'rig' | 'ts' | 'interval_s' | 'seq' | 'power_w' | 'power_source'> {
  return {
    schema: SCHEMA_VERSION,
    kind: 'asic',
    site: ctx.site,
    rig: ctx.rig,
    ts: ctx.ts,
    interval_s: ctx.intervalS,
    ...(ctx.seq === undefined ? {} : { seq: ctx.seq }),
    power_w: power.power_w,
    power_source: power.power_source,
  };
}

/** Extra commands worth one more request per family (the base request is summary+pools+stats+version+devs). */
export const FAMILY_EXTRA_COMMANDS: Record<MinerFamily, readonly string[]> = {
  luxos: ['fans', 'temps', 'power', 'config'],
  braiins: ['fans', 'temps', 'tunerstatus', 'devdetails'],
  whatsminer: ['devdetails'],
  antminer: [],
  vnish: [],
  avalon: [],
  sealminer: [],
  auradine: ['fan', 'temperature', 'psu', 'asccount', 'ipreport'],
  bfgminer: [],
  cgminer: [],
};

/**
 * Turns one poll's replies into a wire `AsicSample` (pure). Throws when the replies hold nothing usable (no
 * summary, devs or stats), so a caller never publishes an empty sample as if the miner were fine.
 */
export function buildAsicSample(replies: MinerReplies, ctx: SampleContext): AsicSample {
  const { usable, errors } = usableReplies(replies);
  if (Object.keys(usable).length === 0) {
    throw new Error(`miner answered without summary, devs or stats${errors.length ? ` (${errors.join('; ')})` : ''}`);
  }
  const identity = identify(usable);
  const model = findAsicModel(identity.model);
  const hw = hardwareFor(identity, usable, model);
  const summary = firstRow(usable['summary'], 'SUMMARY');
  const devs = rows(usable['devs'], 'DEVS');
  const devs5s = devs.length > 0 ? sum(devs.map((d) => shortHashrateThs(d))) : null;
  const devsAvg = devs.length > 0 ? sum(devs.map((d) => averageHashrateThs(d))) : null;
  // summary is the miner's own total; firmware without one (Avalon 15, some Antminer clones) has it in stats/devs.
  const hashrate5s = (summary ? shortHashrateThs(summary) : null) ?? hw.hashrate5sThs ?? devs5s;
  const hashrateAvg = (summary ? averageHashrateThs(summary) : null) ?? hw.hashrateAvgThs ?? devsAvg;
  const power = decidePower({
    measuredW: ctx.measuredPowerW,
    minerW: hw.minerPowerW,
    hashrateThs: hashrate5s ?? hashrateAvg,
    model,
  });
  const statsElapsed = rows(usable['stats'], 'STATS')
    .map((r) => num(r['Elapsed']))
    .find((v) => v !== null);
  const uptime = num(summary?.['Elapsed']) ?? statsElapsed ?? deviceElapsed(devs);
  const ignorable = /invalid command|access denied/i;
  const notes: string[] = [];
  if (hashrate5s === null && hashrateAvg === null) notes.push(noHashrateReason(usable));
  const sample: AsicSample = {
    ...sampleHeader(ctx, power),
    errors: [...errors.filter((e) => !ignorable.test(e)), ...hw.errors, ...notes].slice(0, 64).map((e) => clip(e)),
    model: identity.model ? clip(model?.name ?? identity.model) : null,
    firmware: identity.firmware ? clip(identity.firmware) : null,
    family: identity.family,
    hashrate_5s_ths: hashrate5s === null ? null : round(hashrate5s),
    hashrate_avg_ths: hashrateAvg === null ? null : round(hashrateAvg),
    nameplate_ths: hw.ratedThs ?? model?.nameplate_ths ?? null,
    boards: hw.boards.slice(0, 64),
    fans_rpm: hw.fansRpm.slice(0, 32),
    pools: parsePools(usable),
    uptime_s: uptime !== null && uptime >= 0 ? uptime : null,
    status_text: hw.statusText ? clip(hw.statusText) : null,
  };
  return AsicSample.parse(sample);
}

function hardwareFor(identity: Identity, replies: MinerReplies, model: ReturnType<typeof findAsicModel>): Hardware {
  switch (identity.family) {
    case 'antminer':
    case 'luxos':
    case 'vnish':
      return applyExtras(parseAntminerStats(replies, model), replies);
    case 'avalon':
      return parseAvalon(replies);
    case 'auradine':
      return parseAuradine(replies, model);
    case 'sealminer':
      return parseSealminer(replies);
    case 'whatsminer':
      return parseWhatsminer(replies, model);
    case 'braiins':
      return applyExtras(parseDevs(replies, model), replies);
    default: {
      // Generic cgminer: Antminer-style chain stats when present (many clones copy bmminer), devs otherwise.
      const chains = parseAntminerStats(replies, model);
      return chains.boards.length > 0 ? chains : parseDevs(replies, model);
    }
  }
}

function deviceElapsed(devs: Record<string, unknown>[]): number | null {
  const values = devs.map((d) => num(d['Device Elapsed'])).filter((v): v is number => v !== null);
  return values.length > 0 ? Math.max(...values) : null;
}

/**
 * Why a sample carries no hashrate: the miner answered, but none of the sections that hold one (summary, devs,
 * stats) was readable, or they were and held no hashrate field.
 */
function noHashrateReason(usable: MinerReplies): string {
  const holders = ['summary', 'devs', 'stats'].filter((c) => usable[c] !== undefined);
  if (holders.length === 0) {
    return `no hashrate: the miner answered only ${Object.keys(usable).sort().join(', ')} (no summary, devs or stats)`;
  }
  return `no hashrate: ${holders.join(', ')} held no hashrate field`;
}
