import { AsicSample, SCHEMA_VERSION } from '../../server/contract/index.js';
import { findAsicModel } from '../models/asic-models.js';
import { detectAlgorithm } from './algorithm.js';
import { DRIVERS } from './drivers.js';
import { identify, type MinerFamily } from './family.js';
import { sum } from './hardware.js';
import { guardReading, JTH_RANGE_UNKNOWN, MAX_UNKNOWN_THS } from './plausibility.js';
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
export const FAMILY_EXTRA_COMMANDS: Readonly<Record<MinerFamily, readonly string[]>> = Object.fromEntries(
  Object.entries(DRIVERS).map(([family, driver]) => [family, driver.extraCommands]),
) as Record<MinerFamily, readonly string[]>;

/**
 * Turns one poll's replies into a wire `AsicSample` (pure). Each section was parsed on its own; sections that failed
 * are named in `errors`, and whatever the others hold still makes the sample. Throws only when no reply is usable
 * at all, so a caller never publishes an empty sample as if the miner were fine.
 */
export function buildAsicSample(replies: MinerReplies, ctx: SampleContext): AsicSample {
  const { usable, errors } = usableReplies(replies);
  if (Object.keys(usable).length === 0) {
    throw new Error(`miner answered without summary, devs or stats${errors.length ? ` (${errors.join('; ')})` : ''}`);
  }
  const identity = identify(usable);
  const summary = firstRow(usable['summary'], 'SUMMARY');
  const statsRows = rows(usable['stats'], 'STATS');
  const algo = detectAlgorithm(identity.model, identity.family, rateKeyPrefix([summary, ...statsRows]));
  const model = algo.alt ? null : findAsicModel(identity.model);
  const hw = DRIVERS[identity.family].parse(usable, model);
  const devs = rows(usable['devs'], 'DEVS');
  const devs5s = devs.length > 0 ? sum(devs.map((d) => shortHashrateThs(d))) : null;
  const devsAvg = devs.length > 0 ? sum(devs.map((d) => averageHashrateThs(d))) : null;
  // summary is the miner's own total; firmware without one (Avalon 15, some Antminer clones) has it in stats/devs.
  const hashrate5s = (summary ? shortHashrateThs(summary) : null) ?? hw.hashrate5sThs ?? devs5s;
  const hashrateAvg = (summary ? averageHashrateThs(summary) : null) ?? hw.hashrateAvgThs ?? devsAvg;
  const sha = algo.algorithm === 'sha256';
  const toRate = (ths: number | null): number | null => (ths === null ? null : sha ? ths : round(algo.toBase(ths), 3));
  const altChips = algo.alt?.chips_per_board ?? null;
  const boards = hw.boards.map((b) =>
    sha ? b : { ...b, hashrate_ths: null, algo_hashrate: toRate(b.hashrate_ths), expected_chips: b.expected_chips ?? altChips },
  );
  const nameplate = sha ? (hw.ratedThs ?? model?.nameplate_ths ?? null) : (algo.alt?.nameplate ?? null);
  const checked = guardReading(
    { rate5s: toRate(hashrate5s), rateAvg: toRate(hashrateAvg), boards, fansRpm: hw.fansRpm, minerPowerW: hw.minerPowerW },
    {
      modelName: model?.name ?? algo.alt?.name ?? null,
      nameplate,
      boards: model?.boards ?? algo.alt?.boards ?? null,
      unit: sha ? 'TH/s' : algo.unit,
      maxRate: sha ? MAX_UNKNOWN_THS : Number.MAX_VALUE,
      efficiency: sha ? (model ? { min: model.efficiency_jth * 0.4, max: model.efficiency_jth * 4 } : JTH_RANGE_UNKNOWN) : null,
      boardRate: sha ? 'hashrate_ths' : 'algo_hashrate',
    },
  );
  const reading = checked.reading;
  // A total dropped as implausible is replaced by the sum of the boards when every board has a plausible rate (the
  // Z11 "Chipless" firmware reports its total in Sol/s but its chains in kSol/s like stock firmware).
  const boardRates = reading.boards.map((b) => (sha ? b.hashrate_ths : (b.algo_hashrate ?? null)));
  if (checked.errors.length > 0 && boardRates.length > 0 && boardRates.every((r) => r !== null)) {
    const total = boardRates.reduce<number>((a, r) => a + (r as number), 0);
    if (reading.rate5s === null && hashrate5s !== null) reading.rate5s = total;
  }
  const power = sha
    ? decidePower({ measuredW: ctx.measuredPowerW, minerW: reading.minerPowerW, hashrateThs: reading.rate5s ?? reading.rateAvg, model })
    : altPower(ctx.measuredPowerW, reading.minerPowerW, reading.rate5s ?? reading.rateAvg, algo.alt?.power_w ?? null);
  // BOSminer's stats records carry `Elapsed: 0`: only a positive stats figure counts.
  const statsElapsed = statsRows.map((r) => num(r['Elapsed'])).find((v) => v !== null && v > 0);
  const uptime = num(summary?.['Elapsed']) ?? statsElapsed ?? hw.uptimeS ?? deviceElapsed(devs);
  const ignorable = /invalid command|access denied|missing json 'command'/i;
  const notes: string[] = [];
  if (reading.rate5s === null && reading.rateAvg === null && hashrate5s === null && hashrateAvg === null) notes.push(noHashrateReason(usable));
  const sample: AsicSample = {
    ...sampleHeader(ctx, power),
    errors: [...errors.filter((e) => !ignorable.test(e)), ...hw.errors, ...checked.errors, ...notes].slice(0, 64).map((e) => clip(e)),
    model: ((name) => (name ? clip(name) : null))(model?.name ?? algo.alt?.name ?? identity.model),
    firmware: identity.firmware ? clip(identity.firmware) : null,
    family: identity.family,
    hashrate_5s_ths: sha ? rounded(reading.rate5s) : null,
    hashrate_avg_ths: sha ? rounded(reading.rateAvg) : null,
    nameplate_ths: sha ? nameplate : null,
    boards: reading.boards.slice(0, 64),
    fans_rpm: reading.fansRpm.slice(0, 32),
    pools: hw.pools ?? parsePools(usable),
    uptime_s: uptime !== null && uptime >= 0 ? uptime : null,
    status_text: hw.statusText ? clip(hw.statusText) : null,
    algorithm: algo.algorithm,
    ...(sha
      ? {}
      : {
          algo_hashrate_5s: reading.rate5s,
          algo_hashrate_avg: reading.rateAvg,
          algo_nameplate: nameplate,
          algo_hashrate_unit: algo.unit,
        }),
  };
  return AsicSample.parse(sample);
}

const rounded = (value: number | null): number | null => (value === null ? null : round(value));

/**
 * The unit of the record's own rate keys (`GHS 5s` → 'G', `MHS av` → 'M'): bmminer's non-SHA-256 miners put
 * another unit behind a `GHS` label (see algorithm.ts).
 */
function rateKeyPrefix(records: (Record<string, unknown> | undefined)[]): string | null {
  for (const record of records) {
    for (const key of Object.keys(record ?? {})) {
      const match = /^([KMGTP]?)HS (5s|av)$/i.exec(key);
      if (match) return match[1] ?? '';
    }
  }
  return null;
}

/** Power of a non-SHA-256 miner: a meter, the miner's own figure, else its rated draw while it hashes. */
function altPower(measuredW: number | null | undefined, minerW: number | null, rate: number | null, ratedW: number | null): PowerFigure {
  if (measuredW !== undefined && measuredW !== null && measuredW >= 0) return { power_w: measuredW, power_source: 'measured' };
  if (minerW !== null) return { power_w: minerW, power_source: 'miner' };
  if (ratedW !== null && rate !== null && rate > 0) return { power_w: ratedW, power_source: 'nameplate' };
  return { power_w: null, power_source: null };
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
