import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { FleetModel } from '../../agents/sim/simulator.js';
import type { Sample, SiteRollup } from '../../server/contract/index.js';
import { MEASUREMENTS, ROLLED_UP, ROLLUP_FIELDS, encodeSample, encodeSiteRollup } from '../../server/store/influx/schema.js';

const DIR = 'config/grafana';
const dashboards = readdirSync(join(DIR, 'dashboards'))
  .filter((f) => f.endsWith('.json'))
  .map((file) => ({ file, json: JSON.parse(readFileSync(join(DIR, 'dashboards', file), 'utf8')) as Dashboard }));

interface Target {
  refId: string;
  query?: string;
  rawQuery?: boolean;
  alias?: string;
  datasource?: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Target[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; query: string; datasource?: { uid: string } }[] };
}

/** Splits one line-protocol line into measurement, tag keys and field keys (spec: escaping of , = and space). */
function parseLine(line: string): { measurement: string; tags: string[]; fields: string[] } {
  let i = 0;
  let head = '';
  for (; i < line.length && line[i] !== ' '; i++) {
    if (line[i] === '\\') head += line[i++];
    head += line[i];
  }
  const [measurement, ...tagPairs] = head.split(/(?<!\\),/);
  const body = line.slice(i + 1, line.lastIndexOf(' '));
  const fields: string[] = [];
  let inString = false;
  let start = 0;
  for (let k = 0; k <= body.length; k++) {
    const c = body[k];
    if (c === '\\') k++;
    else if (c === '"') inString = !inString;
    else if ((c === ',' && !inString) || k === body.length) {
      fields.push(body.slice(start, k).split('=')[0] as string);
      start = k + 1;
    }
  }
  return { measurement: measurement as string, tags: tagPairs.map((p) => p.split('=')[0] as string), fields };
}

/**
 * What the schema writes, from the schema's own encoders (server/store/influx/schema.ts) run over a simulated fleet
 * of ASIC miners and GPU nodes and a site rollup: measurement → tag keys and field keys.
 */
function schemaFromEncoders(): Map<string, { tags: Set<string>; fields: Set<string> }> {
  const model = new FleetModel({ sites: 1, rigsPerSite: 12, seed: 5, intervalMs: 10_000, faultRate: 0, gpuEvery: 3, startMs: 1_700_000_000_000 });
  const simulated = model.sites.flatMap((site) => model.samplesAt(site, 1, 1_700_000_010_000));
  // Fields the encoders write only when set: a replayed sample, a GPU that logged an Xid.
  const withOptional = simulated.map((s): Sample =>
    s.kind === 'gpu'
      ? { ...s, historical: true, gpus: s.gpus.map((g) => ({ ...g, last_xid: 79, ecc_corrected: 1, ecc_uncorrected: 0 })) }
      : { ...s, historical: true },
  );
  const lines = [...simulated, ...withOptional].flatMap((s) => encodeSample(s).lines.split('\n'));
  const rollup: SiteRollup = {
    id: 'site-01',
    name: 'Site 1',
    rigs: { total: 12, online: 10, offline: 1, degraded: 1 },
    hashrate_ths: 1000,
    power_kw: 30,
    efficiency_jth: 30,
    gpus: { total: 8, online: 8, utilization_pct: 50 },
  };
  lines.push(encodeSiteRollup(1_700_000_010_000, rollup));
  const schema = new Map<string, { tags: Set<string>; fields: Set<string> }>();
  for (const line of lines) {
    const { measurement, tags, fields } = parseLine(line);
    const entry = schema.get(measurement) ?? { tags: new Set<string>(), fields: new Set<string>() };
    tags.forEach((t) => entry.tags.add(t));
    fields.forEach((f) => entry.fields.add(f));
    schema.set(measurement, entry);
  }
  // The rollup retention policies hold <metric>_sum and <metric>_count of the rolled-up measurements, same tags.
  for (const rp of ['rollup_1m', 'rollup_1h']) {
    for (const m of ROLLED_UP) {
      const base = schema.get(m) as { tags: Set<string> };
      schema.set(`${rp}.${m}`, { tags: base.tags, fields: new Set(ROLLUP_FIELDS.flatMap((f) => [`${f}_sum`, `${f}_count`])) });
    }
  }
  return schema;
}

const SCHEMA = schemaFromEncoders();
const unquote = (s: string): string => s.replace(/^"|"$/g, '');

/** Measurements a query reads (`FROM "rp"."m"`, `FROM "m"`; subqueries skipped), identifiers it names, aliases. */
function analyse(query: string): { measurements: string[]; identifiers: string[]; aliases: string[]; withKey: string | null } {
  const measurements: string[] = [];
  const fromRef = /\bFROM\s+((?:"[^"]+"|[A-Za-z_]\w*)(?:\.(?:"[^"]+"|[A-Za-z_]\w*)){0,2})/gi;
  let rest = query;
  for (const match of query.matchAll(fromRef)) {
    const parts = (match[1] as string).split('.').map(unquote);
    const measurement = parts.at(-1) as string;
    const rp = parts.length >= 2 ? parts.at(-2) : undefined;
    measurements.push(rp && rp !== 'raw' && rp !== 'autogen' ? `${rp}.${measurement}` : measurement);
    rest = rest.replace(match[0], 'FROM');
  }
  const aliases = [...query.matchAll(/\bAS\s+"([^"]+)"/gi)].map((m) => m[1] as string);
  const withKey = /\bWITH KEY\s*=\s*"([^"]+)"/i.exec(query)?.[1] ?? null;
  const identifiers = [...rest.replace(/\bAS\s+"[^"]+"/gi, '').matchAll(/"([^"]+)"/g)].map((m) => m[1] as string);
  return { measurements, identifiers, aliases, withKey };
}

describe('Grafana provisioning (config/grafana/)', () => {
  const datasource = parseYaml(readFileSync(join(DIR, 'provisioning/datasources/influxdb.yaml'), 'utf8')) as {
    datasources: { uid: string; type: string; url: string; jsonData: { dbName: string } }[];
  };
  const [influx] = datasource.datasources;

  it('provisions an InfluxDB datasource on the compose service and database, and the four dashboards', () => {
    expect(influx).toMatchObject({ type: 'influxdb', url: 'http://influxdb:8086', jsonData: { dbName: 'rigline' } });
    const production = parseYaml(readFileSync('config/production.yaml', 'utf8')) as { store: { influxdb: { database: string } } };
    expect(influx?.jsonData.dbName).toBe(production.store.influxdb.database);
    expect(dashboards.map((d) => d.json.uid).sort()).toEqual(['rigline-fleet', 'rigline-ingest', 'rigline-rig', 'rigline-site']);
    const provider = parseYaml(readFileSync(join(DIR, 'provisioning/dashboards/rigline.yaml'), 'utf8')) as { providers: { options: { path: string } }[] };
    const compose = readFileSync('docker-compose.yml', 'utf8');
    expect(compose).toContain(`./config/grafana/dashboards:${provider.providers[0]?.options.path}:ro`);
    expect(compose).toContain('./config/grafana/provisioning:/etc/grafana/provisioning:ro');
  });

  it('derives the schema from the encoders: every measurement of server/store/influx/schema.ts is there', () => {
    for (const m of Object.values(MEASUREMENTS)) expect(SCHEMA.has(m), m).toBe(true);
    expect(SCHEMA.get('rig')?.fields.has('hashrate_ths')).toBe(true);
    expect(SCHEMA.get('board')?.tags.has('board')).toBe(true);
  });

  for (const { file, json } of dashboards) {
    describe(file, () => {
      it('every panel queries the provisioned datasource with InfluxQL naming measurements, fields and tags the schema has', () => {
        expect(json.panels.length).toBeGreaterThan(0);
        for (const panel of json.panels) {
          const where = `${file} panel "${panel.title}"`;
          expect(panel.datasource?.uid, where).toBe(influx?.uid);
          expect(panel.targets?.length, where).toBeGreaterThan(0);
          for (const target of panel.targets ?? []) {
            expect(target.rawQuery, where).toBe(true);
            const { measurements, identifiers, aliases } = analyse(target.query ?? '');
            expect(measurements.length, `${where}: no FROM`).toBeGreaterThan(0);
            const known = { tags: new Set<string>(), fields: new Set<string>() };
            for (const m of measurements) {
              const entry = SCHEMA.get(m);
              expect(entry, `${where}: measurement ${m} is not in the schema`).toBeDefined();
              entry?.tags.forEach((t) => known.tags.add(t));
              entry?.fields.forEach((f) => known.fields.add(f));
            }
            expect(identifiers.some((id) => known.fields.has(id)), `${where}: names no field`).toBe(true);
            for (const id of identifiers) {
              // An outer query reads its subquery's columns by their aliases.
              const ok = known.fields.has(id) || known.tags.has(id) || aliases.includes(id);
              expect(ok, `${where}: "${id}" is neither a field nor a tag of ${measurements.join(', ')}`).toBe(true);
            }
            for (const [, tag] of (target.alias ?? '').matchAll(/\$tag_(\w+)/g)) {
              expect(known.tags.has(tag as string), `${where}: alias $tag_${tag} is not a tag`).toBe(true);
              const query = target.query ?? '';
              expect(query.slice(query.lastIndexOf('GROUP BY')), `${where}: alias $tag_${tag} needs GROUP BY "${tag}"`).toContain(`"${tag}"`);
            }
          }
        }
      });

      it('template variables list tag values of measurements the schema has', () => {
        for (const variable of json.templating.list) {
          expect(variable.datasource?.uid).toBe(influx?.uid);
          const { measurements, withKey, identifiers } = analyse(variable.query);
          expect(measurements).toHaveLength(1);
          const entry = SCHEMA.get(measurements[0] as string);
          expect(entry?.tags.has(withKey as string), `${file} variable ${variable.name}`).toBe(true);
          for (const id of identifiers) expect(entry?.tags.has(id), `${file} variable ${variable.name}: "${id}"`).toBe(true);
        }
      });

      it('uses only variables it defines (or Grafana built-ins)', () => {
        const defined = new Set(json.templating.list.map((v) => v.name));
        const text = JSON.stringify(json.panels);
        for (const [, name] of text.matchAll(/\$(?!__|timeFilter|tag_|col\b)(\w+)/g)) expect(defined.has(name as string), `${file}: $${name}`).toBe(true);
      });
    });
  }
});
