import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  body: Record<string, unknown>;
  status: number;
}

export interface WebhookReceiver {
  server: Server;
  url: string;
  got: Received[];
}

/** A real HTTP webhook receiver; `failFirst` answers 503 to the first N requests to exercise retries. */
export async function receiver(failFirst: number): Promise<WebhookReceiver> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (chunk: Buffer) => (data += chunk.toString()));
    req.on('end', () => {
      const status = got.length < failFirst ? 503 : 200;
      got.push({ body: JSON.parse(data) as Record<string, unknown>, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got };
}
