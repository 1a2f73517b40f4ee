import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface PostResult {
  status: number;
  /** The answer's first bytes (an error's text); empty for 2xx. */
  text: string;
}

/**
 * POSTs a ready body over a keep-alive connection pool with node:http. The write path's hot loop: measured here,
 * global fetch spent ~10 % of the server's ingest CPU turning a 1 MB line-protocol string into a stream (encode,
 * copy, web streams) per batch; a Buffer handed to node:http is written as it is.
 */
export class KeepAlivePoster {
  private readonly url: URL;
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;

  constructor(url: string, maxSockets: number) {
    this.url = new URL(url);
    const https = this.url.protocol === 'https:';
    this.agent = https ? new HttpsAgent({ keepAlive: true, maxSockets }) : new HttpAgent({ keepAlive: true, maxSockets });
    this.send = https ? httpsRequest : httpRequest;
  }

  /** Resolves with the answer; rejects (with the socket error's code as message) when no answer came in `timeoutMs`. */
  post(body: Buffer, headers: Record<string, string>, timeoutMs: number): Promise<PostResult> {
    return new Promise((resolve, reject) => {
      const req = this.send(this.url, { method: 'POST', agent: this.agent, headers: { ...headers, 'content-length': String(body.length) } });
      req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      req.once('error', (err: NodeJS.ErrnoException) => reject(new Error(err.code ?? err.message)));
      req.once('response', (res: IncomingMessage) => {
        const ok = res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300;
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on('data', (chunk: Buffer) => {
          // An error's text is reported cut to a few hundred bytes: keep no more than that.
          if (!ok && kept < 1024) {
            chunks.push(chunk);
            kept += chunk.length;
          }
        });
        res.once('end', () => {
          // An answer that came before the whole body was sent (an early error): close the connection, so nothing
          // reads the body's bytes after this settles; the caller may reuse them then (line-writer.ts slabs). On an
          // error the socket is already destroyed, which stops its pending writes at once.
          if (!req.writableFinished) req.destroy();
          resolve({ status: res.statusCode ?? 0, text: ok ? '' : Buffer.concat(chunks).toString('utf8') });
        });
        res.once('error', (err: NodeJS.ErrnoException) => reject(new Error(err.code ?? err.message)));
      });
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
