/**
 * History tables. One row per series (a site or a rig) and time. Values are the chartable figures, null where a
 * series has no such figure. `raw` keeps rig and site samples as they came; `m1` and `h1` keep means per minute and
 * per hour, with `n` samples behind each mean so later merges weigh them, and the means of every hashboard and fan
 * packed in `parts` (minutes.ts). WITHOUT ROWID: the primary key is the storage order, so a series' range is one
 * contiguous read.
 */
export const COLUMNS = ['hashrate_ths', 'power_kw', 'efficiency_jth', 'temp_c', 'gpu_util_pct', 'chip_temp_c', 'fan_rpm'] as const;
export type Column = (typeof COLUMNS)[number];
export type Values = Partial<Record<Column, number | null>>;

export const SCOPES = ['site', 'rig'] as const;
export type Scope = (typeof SCOPES)[number];

const valueColumns = COLUMNS.map((c) => `${c} REAL`).join(', ');

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS series (id INTEGER PRIMARY KEY, scope TEXT NOT NULL, key TEXT NOT NULL, UNIQUE (scope, key));
CREATE TABLE IF NOT EXISTS raw (sid INTEGER NOT NULL, ts INTEGER NOT NULL, ${valueColumns}, PRIMARY KEY (sid, ts)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS m1 (sid INTEGER NOT NULL, ts INTEGER NOT NULL, n INTEGER NOT NULL, ${valueColumns}, parts BLOB, PRIMARY KEY (sid, ts)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS h1 (sid INTEGER NOT NULL, ts INTEGER NOT NULL, n INTEGER NOT NULL, ${valueColumns}, parts BLOB, PRIMARY KEY (sid, ts)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

/** The table each resolution lives in, finest first. */
export const TIERS = [
  { table: 'raw', resolutionMs: 0 },
  { table: 'm1', resolutionMs: 60_000 },
  { table: 'h1', resolutionMs: 3_600_000 },
] as const;
export type Tier = (typeof TIERS)[number];
