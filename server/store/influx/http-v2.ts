import { HttpError, InfluxDB, setLogger, type WriteApi } from '@influxdata/influxdb-client';
import { retryableStatus } from './http-v1.js';
import { WriteError, type Sink } from './write-buffer.js';

/**
 * InfluxDB 2.x native write API (POST /api/v2/write?org=&bucket=&precision=ms, `Authorization: Token …`) through
 * the official client. rigline's WriteBuffer does the batching, bounding and retrying, so the client is set to send
 * exactly what it is given, once: no batching timer, no retries, no retry buffer of its own.
 */
// The client logs every failed write to the console; WriteBuffer reports failures (rate-limited) through pino.
const quiet = (): void => undefined;
setLogger({ error: quiet, warn: quiet });

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
      // One record (a whole batch body) per write, sent by flush(): the client never batches on its own.
      batchSize: 2,
      maxBatchBytes: 1 << 30,
      flushInterval: 0,
      maxRetries: 0,
      maxBufferLines: 1,
    });
  }

  async write(body: Buffer): Promise<void> {
    this.writeApi.writeRecord(body.toString('utf8'));
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
