import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, ApiFailure } from '../../../web/src/api.js';

describe('web api(): one way to call the REST API', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/slow') return void setTimeout(() => res.end('{}'), 2000);
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'invalid_plan', message: 'sites.0.power_mw: too small' } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server.closeAllConnections());

  it('turns an error answer into an ApiFailure with its stable code', async () => {
    const err = await api(`${base}/bad`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiFailure);
    expect(err).toMatchObject({ status: 400, code: 'invalid_plan', message: 'sites.0.power_mw: too small' });
  });

  it('lets a caller abort through unchanged, but reports an unreachable server as a network failure', async () => {
    const aborter = new AbortController();
    const pending = api(`${base}/slow`, { signal: aborter.signal }).catch((e: unknown) => e);
    aborter.abort();
    expect(((await pending) as Error).name).toBe('AbortError');
    const down = await api('http://127.0.0.1:1/x').catch((e: unknown) => e);
    expect(down).toMatchObject({ status: 0, code: 'network' });
  });
});
