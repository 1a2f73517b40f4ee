import { WriteError, type Sink } from './write-buffer.js';

/**
 * InfluxDB 1.x HTTP API (https://docs.influxdata.com/influxdb/v1/tools/api/): line protocol POSTed to /write and
 * InfluxQL on /query. InfluxDB 2.x and 3 serve the same endpoints for v1 compatibility, with a token as password.
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
  private readonly writeUrl: string;

  constructor(private readonly options: V1Options) {
    this.headers = { 'content-type': 'text/plain; charset=utf-8' };
    if (options.token) this.headers.authorization = `Token ${options.token}`;
    else if (options.username) {
      const basic = Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64');
      this.headers.authorization = `Basic ${basic}`;
    }
    const params = new URLSearchParams({ db: options.database, precision: 'ms' });
    if (options.retentionPolicy) params.set('rp', options.retentionPolicy);
    this.writeUrl = `${options.url.replace(/\/+$/, '')}/write?${params}`;
  }

  async write(body: string): Promise<void> {
    let res: Response;
    try {
      res = await fetch(this.writeUrl, {
        method: 'POST',
        headers: this.headers,
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (err) {
      throw new WriteError(`write failed: ${causeOf(err)}`, true);
    }
    if (res.status === 204 || res.status === 200) {
      await res.arrayBuffer();
      return;
    }
    const text = (await res.text().catch(() => '')).slice(0, 300);
    throw new WriteError(`write answered ${res.status}: ${text}`, retryableStatus(res.status), res.status);
  }

  /**
   * Runs InfluxQL. `q` is built by rigline from validated values with quoteIdent/quoteLiteral; reads use GET,
   * statements that change the database (CREATE, DROP, ALTER, SELECT INTO) use POST, as the API requires.
   */
  async query(q: string, options: { write?: boolean } = {}): Promise<QueryResult[]> {
    const params = new URLSearchParams({ db: this.options.database, epoch: 'ms', q });
    const url = `${this.options.url.replace(/\/+$/, '')}/query`;
    let res: Response;
    try {
      res = options.write
        ? await fetch(url, {
            method: 'POST',
            headers: { ...this.headers, 'content-type': 'application/x-www-form-urlencoded' },
            body: params.toString(),
            signal: AbortSignal.timeout(this.options.timeoutMs),
          })
        : await fetch(`${url}?${params}`, { headers: this.headers, signal: AbortSignal.timeout(this.options.timeoutMs) });
    } catch (err) {
      throw new Error(`InfluxDB query failed: ${causeOf(err)}`, { cause: err });
    }
    const text = await res.text();
    let parsed: { results?: QueryResult[]; error?: string };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      throw new Error(`InfluxDB query answered ${res.status}: ${text.slice(0, 300)}`);
    }
    if (!res.ok || parsed.error) throw new Error(`InfluxDB query answered ${res.status}: ${parsed.error ?? text.slice(0, 300)}`);
    const results = parsed.results ?? [];
    const failed = results.find((r) => r.error);
    if (failed) throw new Error(`InfluxQL error: ${failed.error}`);
    return results;
  }

  async ping(): Promise<boolean> {
    try {
      const res = await fetch(`${this.options.url.replace(/\/+$/, '')}/ping`, { signal: AbortSignal.timeout(this.options.timeoutMs) });
      return res.status === 204 || res.status === 200;
    } catch {
      return false;
    }
  }
}

function causeOf(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}
