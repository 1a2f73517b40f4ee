import { HttpError, InfluxDB, type WriteApi } from '@influxdata/influxdb-client';
import { retryableStatus } from './http-v1.js';
import { WriteError, type Sink } from './write-buffer.js';

/**
 * InfluxDB 2.x native write API (POST /api/v2/write?org=&bucket=&precision=ms, `Authorization: Token …`) through
 * the official client. rigline's WriteBuffer does the batching, bounding and retrying, so the client is set to send
 * exactly what it is given, once: no batching timer, no retries, no retry buffer of its own.
 */
export interface V2Options {
  url: string;
  org: string;
  bucket: string;
  token: string;
  timeoutMs: number;
}

export class InfluxV2Writer implements Sink {
  private readonly writeApi: WriteApi;

  constructor(options: V2Options) {
    const client = new InfluxDB({ url: options.url, token: options.token, timeout: options.timeoutMs });
    this.writeApi = client.getWriteApi(options.org, options.bucket, 'ms', {
      batchSize: Number.MAX_SAFE_INTEGER,
      maxBatchBytes: Number.MAX_SAFE_INTEGER,
      flushInterval: 0,
      maxRetries: 0,
      maxBufferLines: Number.MAX_SAFE_INTEGER,
    });
  }

  async write(body: string): Promise<void> {
    this.writeApi.writeRecord(body);
    try {
      await this.writeApi.flush();
    } catch (err) {
      if (err instanceof HttpError) {
        throw new WriteError(`v2 write answered ${err.statusCode}: ${err.body ?? err.message}`.slice(0, 300), retryableStatus(err.statusCode), err.statusCode);
      }
      throw new WriteError(`v2 write failed: ${(err as Error).message}`, true);
    }
  }

  close(): void {
    this.writeApi.dispose();
  }
}
