import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)(.*)$/;

/** Sets the value of every series of metric `name` in a capture (labels kept), as a server whose counter moved. */
export function setMetric(text: string, name: string, value: number): string {
  return text
    .split('\n')
    .map((line) => {
      const m = LINE.exec(line);
      return m && m[1] === name ? `${m[1]}${m[2] ?? ''} ${value}${m[4] ?? ''}` : line;
    })
    .join('\n');
}

/** Multiplies every bucket, count and sum of histogram `name` by `factor`: the same distribution, more observations. */
export function scaleHistogram(text: string, name: string, factor: number): string {
  const names = new Set([`${name}_bucket`, `${name}_count`, `${name}_sum`]);
  return text
    .split('\n')
    .map((line) => {
      const m = LINE.exec(line);
      return m && names.has(m[1] as string) ? `${m[1]}${m[2] ?? ''} ${Number(m[3]) * factor}${m[4] ?? ''}` : line;
    })
    .join('\n');
}

export interface FakeInferenceServer {
  url: string;
  /** Replies served so far. */
  scrapes: number;
  close(): Promise<void>;
}

/**
 * An inference server's /metrics on a free loopback port; `body(n)` gives the n-th reply (0-based), so a test replays
 * a capture with counters that advance between scrapes.
 */
export async function startFakeInferenceServer(body: (scrape: number) => string): Promise<FakeInferenceServer> {
  const state = { scrapes: 0 };
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    const text = body(state.scrapes++);
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/metrics`,
    get scrapes() {
      return state.scrapes;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
