import type { Service } from './services.js';

/** InfluxQL against a test InfluxDB, returning the first series' rows (epoch ms times). */
export async function influxRows(influx: Service, db: string, q: string): Promise<unknown[][]> {
  const res = await fetch(`${influx.url}/query?db=${db}&epoch=ms&q=${encodeURIComponent(q)}`, { method: 'POST' });
  const body = (await res.json()) as { results: { series?: { values: unknown[][] }[]; error?: string }[] };
  const error = body.results.find((r) => r.error)?.error;
  if (error) throw new Error(error);
  return body.results[0]?.series?.[0]?.values ?? [];
}

/** count(field) over a measurement, 0 when empty. */
export async function influxCount(influx: Service, db: string, from: string, field = 'interval_s'): Promise<number> {
  const rows = await influxRows(influx, db, `SELECT count("${field}") FROM ${from}`);
  return Number(rows[0]?.[1] ?? 0);
}
