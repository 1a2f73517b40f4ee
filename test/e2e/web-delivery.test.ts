import { readdirSync, readFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rigline } from '../../server/app.js';
import { startTestServer } from '../helpers/server.js';
import { ensureWebBuild } from '../helpers/web-build.js';

interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A GET that leaves the body as sent (fetch would decompress it and hide what went over the wire). */
function get(base: string, path: string, headers: Record<string, string> = {}): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('web app delivery: compression, caching, no source maps', () => {
  let rigline: Rigline;
  let script: string;
  const assets = join('web', 'dist', 'assets');

  beforeAll(async () => {
    ensureWebBuild();
    rigline = await startTestServer();
    const shell = readFileSync(join('web', 'dist', 'index.html'), 'utf8');
    script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(shell)?.[1] as string;
    expect(script).toBeDefined();
  });
  afterAll(async () => rigline?.stop());

  it('serves the main script compressed with brotli or gzip and cached as immutable', async () => {
    const onDisk = readFileSync(join('web', 'dist', script));
    const br = await get(rigline.httpUrl, script, { 'accept-encoding': 'br, gzip' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['cache-control']).toMatch(/\bimmutable\b/);
    expect(br.headers['cache-control']).toMatch(/max-age=31536000/);
    expect(br.body.length).toBeLessThan(onDisk.length / 2);
    expect(brotliDecompressSync(br.body).equals(onDisk)).toBe(true);

    const gz = await get(rigline.httpUrl, script, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['cache-control']).toMatch(/\bimmutable\b/);
    expect(gunzipSync(gz.body).equals(onDisk)).toBe(true);

    const plain = await get(rigline.httpUrl, script);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.equals(onDisk)).toBe(true);
  });

  it('serves the app shell (and deep links) with an ETag, revalidated: 304 when unchanged', async () => {
    for (const path of ['/', '/sites/site-01']) {
      const first = await get(rigline.httpUrl, path, { 'accept-encoding': 'gzip' });
      expect(first.status).toBe(200);
      expect(first.headers['content-type']).toMatch(/text\/html/);
      expect(first.headers['cache-control']).toBe('no-cache');
      const etag = first.headers.etag as string;
      expect(etag).toMatch(/^(W\/)?"/);
      const again = await get(rigline.httpUrl, path, { 'if-none-match': etag });
      expect(again.status).toBe(304);
      expect(again.body.length).toBe(0);
    }
  });

  it('compresses API answers too (a plan is tens of KB of JSON)', async () => {
    const res = await fetch(`${rigline.httpUrl}/api/plan`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-encoding': 'gzip' },
      body: readFileSync('config/scenario.example.json'),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(await res.json()).toHaveProperty('sites');
    // Tiny answers are not worth compressing.
    const health = await get(rigline.httpUrl, '/api/health', { 'accept-encoding': 'gzip' });
    expect(health.headers['content-encoding']).toBeUndefined();
  });

  it('has no source map reachable: not the built ones, not next to the script, and none referenced', async () => {
    // vite writes hidden maps into web/dist/assets (npm run build moves them out; this checks the server too).
    const maps = readdirSync(assets).filter((f) => f.endsWith('.map'));
    const candidates = [...maps.map((m) => `/assets/${m}`), `${script}.map`, '/index.html.map', `/assets/../assets/${maps[0] ?? 'x.js.map'}`];
    for (const path of candidates) {
      const reply = await get(rigline.httpUrl, path);
      expect(reply.status, path).toBe(404);
      expect(reply.body.toString()).not.toContain('"mappings"');
    }
    const served = await get(rigline.httpUrl, script);
    expect(served.body.toString()).not.toContain('sourceMappingURL');
    expect(served.headers.sourcemap).toBeUndefined();
    expect(served.headers['x-sourcemap']).toBeUndefined();
  });

  it('answers a missing hashed asset with 404, not the app shell', async () => {
    const reply = await get(rigline.httpUrl, '/assets/index-doesnotexist.js');
    expect(reply.status).toBe(404);
    expect(reply.headers['content-type']).toMatch(/json/);
  });
});
