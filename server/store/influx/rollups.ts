import { quoteIdent } from './line-protocol.js';
import { ROLLED_UP, ROLLUP_FIELDS } from './schema.js';
import type { InfluxV1 } from './http-v1.js';

/**
 * Retention and downsampling on InfluxDB 1.x (https://docs.influxdata.com/influxdb/v1/guides/downsample_and_retain/):
 * raw points in retention policy `raw` (the database default), and 1-minute and 1-hour rollups in `rollup_1m` and
 * `rollup_1h`, kept longer. Rollups store sum and count per metric, not the mean, so a coarser bucket's mean is
 * sum(sum) / sum(count): exactly the mean of the raw points, whatever the step.
 */
export const RP = { raw: 'raw', m1: 'rollup_1m', h1: 'rollup_1h' } as const;
export const RESOLUTION_MS = { [RP.m1]: 60_000, [RP.h1]: 3_600_000 } as const;

export interface Retention {
  raw: string;
  rollup_1m: string;
  rollup_1h: string;
}

/** InfluxQL duration literal (e.g. 7d, 90d, 52w) or INF, as config accepts them. */
export const DURATION = /^(\d+(m|h|d|w)|INF)$/;

export function durationMs(duration: string): number {
  if (duration === 'INF') return Infinity;
  const match = /^(\d+)(m|h|d|w)$/.exec(duration);
  if (!match) throw new Error(`not a duration: ${duration}`);
  return Number(match[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[match[2] as 'm' | 'h' | 'd' | 'w'];
}

/**
 * Continuous queries' schedules. A run costs InfluxDB 1.x time per series and field, whatever the points: measured
 * on 20,000 rigs, 13.9 s for the rig 1-minute CQ and 8.8 s for the rig 1-hour one. So the rig 1-minute rollup is
 * summed by the server as samples arrive (minute-rollups.ts) unless several instances split ingest, and the rig
 * 1-hour rollup runs once an hour over two (the last minutes of an hour land after it ends; the next run has them).
 * Sites are few: their CQs run often and recompute a window wide enough for late site rollups.
 */
const RESAMPLE = {
  rig: { m1: 'RESAMPLE EVERY 1m FOR 5m', h1: 'RESAMPLE EVERY 1h FOR 2h' },
  site: { m1: 'RESAMPLE EVERY 1m FOR 5m', h1: 'RESAMPLE EVERY 10m FOR 2h' },
} as const;
/** CQ names carry a version: a changed definition gets a new name, and setup drops the old one. */
const CQ_PREFIX = 'rigline_';
const CQ_VERSION = 'v2';

/** Who writes the rig 1-minute rollup: the server as it ingests (one instance), or a continuous query. */
export type MinuteRollupsBy = 'server' | 'continuous_query';

function selectInto(db: string, measurement: string, to: 'm1' | 'h1'): string {
  const fields = ROLLUP_FIELDS.map((f) =>
    to === 'm1'
      ? `sum(${quoteIdent(f)}) AS ${quoteIdent(`${f}_sum`)}, count(${quoteIdent(f)}) AS ${quoteIdent(`${f}_count`)}`
      : `sum(${quoteIdent(`${f}_sum`)}) AS ${quoteIdent(`${f}_sum`)}, sum(${quoteIdent(`${f}_count`)}) AS ${quoteIdent(`${f}_count`)}`,
  ).join(', ');
  const source = to === 'm1' ? RP.raw : RP.m1;
  const d = quoteIdent(db);
  return `SELECT ${fields} INTO ${d}.${quoteIdent(RP[to])}.${quoteIdent(measurement)} FROM ${d}.${quoteIdent(source)}.${quoteIdent(measurement)}`;
}

export function continuousQueries(db: string, minuteRollupsBy: MinuteRollupsBy = 'continuous_query'): { name: string; text: string }[] {
  return ROLLED_UP.flatMap((measurement) =>
    (['m1', 'h1'] as const)
      .filter((to) => !(measurement === 'rig' && to === 'm1' && minuteRollupsBy === 'server'))
      .map((to) => {
        const name = `${CQ_PREFIX}${measurement}_${to === 'm1' ? '1m' : '1h'}_${CQ_VERSION}`;
        const interval = to === 'm1' ? '1m' : '1h';
        return {
          name,
          text: `CREATE CONTINUOUS QUERY ${quoteIdent(name)} ON ${quoteIdent(db)} ${RESAMPLE[measurement][to]} BEGIN ${selectInto(db, measurement, to)} GROUP BY time(${interval}), * END`,
        };
      }),
  );
}

/**
 * Creates the database, retention policies and continuous queries, or brings them to the configured durations.
 * Idempotent: safe on every start, and on several servers sharing one database.
 */
export async function ensureSchema(influx: InfluxV1, db: string, retention: Retention, minuteRollupsBy: MinuteRollupsBy = 'continuous_query'): Promise<void> {
  await influx.query(`CREATE DATABASE ${quoteIdent(db)}`, { write: true });
  const [rps] = await influx.query(`SHOW RETENTION POLICIES ON ${quoteIdent(db)}`);
  const existing = new Map<string, string>();
  for (const row of rps?.series?.[0]?.values ?? []) existing.set(String(row[0]), String(row[1]));
  const wanted: [string, string, boolean][] = [
    [RP.raw, retention.raw, true],
    [RP.m1, retention.rollup_1m, false],
    [RP.h1, retention.rollup_1h, false],
  ];
  for (const [name, duration, isDefault] of wanted) {
    const verb = existing.has(name) ? 'ALTER' : 'CREATE';
    const replication = verb === 'CREATE' ? ' REPLICATION 1' : '';
    await influx.query(
      `${verb} RETENTION POLICY ${quoteIdent(name)} ON ${quoteIdent(db)} DURATION ${duration}${replication}${isDefault ? ' DEFAULT' : ''}`,
      { write: true },
    );
  }
  const [cqs] = await influx.query('SHOW CONTINUOUS QUERIES');
  const present = new Set<string>();
  for (const series of cqs?.series ?? []) {
    if (series.name !== db) continue;
    for (const row of series.values ?? []) present.add(String(row[0]));
  }
  const desired = continuousQueries(db, minuteRollupsBy);
  for (const name of present) {
    if (name.startsWith(CQ_PREFIX) && !desired.some((cq) => cq.name === name)) {
      await influx.query(`DROP CONTINUOUS QUERY ${quoteIdent(name)} ON ${quoteIdent(db)}`, { write: true });
    }
  }
  for (const cq of desired) if (!present.has(cq.name)) await influx.query(cq.text, { write: true });
}

/**
 * Runs the continuous queries' statements over an explicit range: rollups for data written after their window
 * passed (an InfluxDB outage drained late, an agent's spool replayed, minutes a stopped server had not closed).
 * The 1-minute rollups are recomputed over whole minutes [from, to), then the 1-hour ones over the whole hours that
 * hold them (from the 1-minute rollups). Rewriting a rollup point replaces it.
 */
export async function backfillRollups(influx: InfluxV1, db: string, fromMs: number, toMs: number): Promise<void> {
  for (const to1 of ['m1', 'h1'] as const) {
    const step = RESOLUTION_MS[RP[to1]];
    const from = Math.floor(fromMs / step) * step;
    const to = Math.ceil(toMs / step) * step;
    for (const measurement of ROLLED_UP) {
      const interval = to1 === 'm1' ? '1m' : '1h';
      await influx.query(
        `${selectInto(db, measurement, to1)} WHERE time >= ${from}ms AND time < ${to}ms GROUP BY time(${interval}), *`,
        { write: true },
      );
    }
  }
}
