import { InfluxDB } from 'influx';
import { KeepAlivePoster } from './http-post.js';
import { WriteError, type Sink } from './write-buffer.js';

/**
 * InfluxDB 1.x HTTP API (https://docs.influxdata.com/influxdb/v1/tools/api/): line protocol POSTed to /write and
 * InfluxQL on /query. InfluxDB 2.x and 3 serve the same endpoints for v1 compatibility, with a token as password.
 *
 * Queries, schema statements and pings go through node-influx (the `influx` package). Writes POST pre-built line
 * protocol straight to /write: measured here, node-influx's writePoints reached ~45k points/s against ~74k for raw
 * line protocol, and ingest must reach 80% of raw InfluxDB throughput.
 */
export interface V1Options {
  url: string;
  database: string;
  /** Retention policy to write to; null writes to the database's default (2.x DBRP mapping, InfluxDB 3). */
  retentionPolicy: string | null;
  username?: string;
  password?: string;
  /** Sent as `Authorization: Token …` (InfluxDB 2.x and 3); takes precedence over username and password. */
  token?: string;
  timeoutMs: number;
}

export interface QueryResult {
  series?: { name: string; columns: string[]; values: unknown[][]; tags?: Record<string, string> }[];
  error?: string;
}

/** Statuses worth retrying: the server is down, overloaded, or not set up yet (401/403/404 wait for an operator). */
export function retryableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408 || status === 401 || status === 403 || status === 404;
}

export class InfluxV1 implements Sink {
  private readonly headers: Record<string, string>;
  private readonly poster: KeepAlivePoster;
  private readonly client: InfluxDB;

  constructor(private readonly options: V1Options) {
    this.headers = { 'content-type': 'text/plain; charset=utf-8' };
    if (options.token) this.headers.authorization = `Token ${options.token}`;
    else if (options.username) {
      const basic = Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64');
      this.headers.authorization = `Basic ${basic}`;
    }
    const params = new URLSearchParams({ db: options.database, precision: 'ms' });
    if (options.retentionPolicy) params.set('rp', options.retentionPolicy);
    // The write buffer keeps at most `store.influxdb.concurrency` (≤ 16) writes in flight.
    this.poster = new KeepAlivePoster(`${options.url.replace(/\/+$/, '')}/write?${params}`, 16);
    const url = new URL(options.url);
    this.client = new InfluxDB({
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      protocol: url.protocol === 'https:' ? 'https' : 'http',
      database: options.database,
      // node-influx fills a missing username with 'root' and then sends Basic auth, which would override the Token
      // header InfluxDB 2.x and 3 need on /query; null is kept as is and means "no Basic auth".
      username: (options.token ? null : (options.username ?? null)) as string | undefined,
      password: options.token ? undefined : options.password,
      options: options.token ? { headers: { Authorization: `Token ${options.token}` } } : undefined,
      pool: { requestTimeout: options.timeoutMs, maxRetries: 0 },
    });
  }

  async write(body: Buffer): Promise<void> {
    let res: { status: number; text: string };
    try {
      res = await this.poster.post(body, this.headers, this.options.timeoutMs);
    } catch (err) {
      throw new WriteError(`write failed: ${(err as Error).message}`, true);
    }
    if (res.status === 204 || res.status === 200) return;
    throw new WriteError(`write answered ${res.status}: ${res.text.slice(0, 300)}`, retryableStatus(res.status), res.status);
  }

  close(): void {
    this.poster.close();
  }

  /**
   * Runs InfluxQL built by rigline from validated values; anything that came from a request travels as a bound
   * parameter (`$name` in the text, its value in `params`), never in the query text. Statements that change the
   * database (CREATE, DROP, ALTER, SELECT INTO) are POSTed, as the API requires.
   */
  async query(q: string, options: { write?: boolean; params?: Record<string, string | number> } = {}): Promise<QueryResult[]> {
    let parsed: { results?: QueryResult[]; error?: string };
    try {
      parsed = (await this.client.queryRaw(q, {
        precision: 'ms',
        method: options.write ? 'POST' : 'GET',
        placeholders: options.params ?? {},
      })) as typeof parsed;
    } catch (err) {
      throw new Error(`InfluxDB query failed: ${causeOf(err)}`, { cause: err });
    }
    if (parsed.error) throw new Error(`InfluxDB query answered: ${parsed.error}`);
    const results = parsed.results ?? [];
    const failed = results.find((r) => r.error);
    if (failed) throw new Error(`InfluxQL error: ${failed.error}`);
    return results;
  }

  async ping(): Promise<boolean> {
    const [host] = await this.client.ping(this.options.timeoutMs).catch(() => []);
    return host?.online ?? false;
  }
}

function causeOf(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}
