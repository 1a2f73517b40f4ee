import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../server/config/load.js';
import { readBitcoind } from '../../server/market/bitcoind.js';
import { MarketFeed } from '../../server/market/feed.js';
import { readMempool, subsidyAtHeight } from '../../server/market/mempool.js';

const fixture = (file: string): string => readFileSync(`test/fixtures/market/${file}`, 'utf8');
const OPTIONS = { timeoutMs: 2000, maxBytes: 64 * 1024, feeBlocks: 144 };

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
const servers: { close(cb: () => void): void; closeAllConnections(): void }[] = [];
async function serve(handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((s) => {
      s.closeAllConnections();
      return new Promise<void>((resolve) => s.close(() => resolve()));
    }),
  );
});

/** A mempool.space-compatible API answering the recorded replies; `override` replaces one path's reply. */
function mempoolHandler(override: Record<string, string> = {}): Handler {
  const replies: Record<string, string> = {
    '/api/v1/mining/hashrate/3d': fixture('mempool__api_v1_mining_hashrate_3d.json'),
    '/api/v1/mining/reward-stats/144': fixture('mempool__api_v1_mining_reward-stats_144.json'),
    '/api/v1/prices': fixture('mempool__api_v1_prices.json'),
    ...override,
  };
  return (req, _body, res) => {
    const reply = replies[req.url ?? ''];
    if (reply === undefined) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': 'application/json' }).end(reply);
  };
}

describe('mempool.space-compatible adapter', () => {
  it('reads difficulty, mean fees per block, subsidy by height and the USD price', async () => {
    const url = await serve(mempoolHandler());
    const figures = await readMempool(`${url}/`, OPTIONS);
    expect(figures.difficulty).toBe(126411437451912.23);
    expect(figures.fees_btc_per_block).toBeCloseTo(0.03, 12); // 432,000,000 sats / 144 blocks
    expect(figures.block_subsidy_btc).toBe(3.125); // height 922,144: four halvings
    expect(figures.btc_price_usd).toBe(91250);
  });

  it('subsidy follows the halving schedule', () => {
    expect(subsidyAtHeight(0)).toBe(50);
    expect(subsidyAtHeight(839_999)).toBe(6.25);
    expect(subsidyAtHeight(840_000)).toBe(3.125);
    expect(subsidyAtHeight(1_050_000)).toBe(1.5625);
    expect(subsidyAtHeight(64 * 210_000)).toBe(0);
  });

  it('refuses malformed replies with a reason', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ '/api/v1/prices': '{"USD":"lots"}' }, /prices USD is not a number/],
      [{ '/api/v1/prices': '<html>rate limited</html>' }, /\/api\/v1\/prices/],
      [{ '/api/v1/mining/hashrate/3d': '[]' }, /not an object/],
      [{ '/api/v1/mining/reward-stats/144': '{"startBlock":10,"endBlock":5,"totalFee":"1"}' }, /covers -4 blocks/],
    ];
    for (const [override, reason] of cases) {
      const url = await serve(mempoolHandler(override));
      await expect(readMempool(url, OPTIONS)).rejects.toThrow(reason);
    }
  });
});

describe('bitcoind adapter', () => {
  it('reads difficulty from getmininginfo and fees and subsidy from batched getblockstats', async () => {
    const calls: unknown[] = [];
    const url = await serve((req, body, res) => {
      const request = JSON.parse(body) as { method?: string } | { method: string; params: unknown[] }[];
      calls.push(request);
      expect(req.headers.authorization).toBe(`Basic ${Buffer.from('rpc:secret').toString('base64')}`);
      const reply = Array.isArray(request) ? fixture('bitcoind__getblockstats_batch_3.json') : fixture('bitcoind__getmininginfo.json');
      res.writeHead(200, { 'content-type': 'application/json' }).end(reply);
    });
    const figures = await readBitcoind({ url, username: 'rpc', password: 'secret' }, { ...OPTIONS, feeBlocks: 3 });
    expect(figures).toEqual({ difficulty: 126411437451912.2, fees_btc_per_block: 0.03, block_subsidy_btc: 3.125 });
    expect(figures.btc_price_usd).toBeUndefined();
    const batch = calls[1] as { method: string; params: unknown[] }[];
    expect(batch.map((c) => c.params[0])).toEqual([922143, 922142, 922141]);
    expect(batch[0]?.params[1]).toEqual(['height', 'subsidy', 'totalfee']);
  });

  it('says what an RPC error was', async () => {
    const url = await serve((_req, _body, res) => {
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"result":null,"error":{"code":-28,"message":"Loading block index"},"id":"rigline"}');
    });
    await expect(readBitcoind({ url }, OPTIONS)).rejects.toThrow(/HTTP 500/);
  });
});

describe('market feed', () => {
  const config = (market: Record<string, unknown>) => parseConfig({ market });

  it('config source: planner.market as is, never stale', () => {
    const feed = new MarketFeed(config({ source: 'config' }));
    const snap = feed.snapshot();
    expect(snap.source).toBe('config');
    expect(snap.provenance.difficulty).toBe('config');
    expect([snap.updated_at, snap.age_s, snap.stale, snap.error]).toEqual([null, null, false, null]);
  });

  it('keeps the last good figures when a refresh fails or is implausible, and reports their age', async () => {
    let now = 1_000_000;
    const replies: (() => Promise<Record<string, number>>)[] = [
      async () => ({ difficulty: 1.2e14, btc_price_usd: 90_000, fees_btc_per_block: 0.03, block_subsidy_btc: 3.125 }),
      async () => ({ difficulty: Number.NaN, btc_price_usd: 90_000 }),
      async () => ({ difficulty: 1.2e14, btc_price_usd: 1e30 }),
      async () => {
        throw new Error('connect ECONNREFUSED');
      },
    ];
    let i = 0;
    const feed = new MarketFeed(config({ source: 'mempool', stale_after_s: 600 }), undefined, () => (replies[i++] as () => Promise<Record<string, number>>)(), () => now);
    expect(feed.snapshot().stale).toBe(true); // nothing live yet
    await feed.refresh();
    const good = feed.snapshot();
    expect(good).toMatchObject({ difficulty: 1.2e14, btc_price_usd: 90_000, updated_at: 1_000_000, age_s: 0, stale: false, error: null });
    expect(good.provenance).toEqual({ btc_price_usd: 'mempool', difficulty: 'mempool', fees_btc_per_block: 'mempool', block_subsidy_btc: 'mempool' });
    for (const reason of [/difficulty NaN/, /btc_price_usd 1e\+30/, /ECONNREFUSED/]) {
      now += 400_000;
      await feed.refresh();
      const snap = feed.snapshot();
      expect(snap.error).toMatch(reason);
      expect(snap.difficulty).toBe(1.2e14);
      expect(snap.btc_price_usd).toBe(90_000);
      expect(Number.isFinite(snap.hashprice_usd_per_ph_day)).toBe(true);
    }
    expect(feed.snapshot().age_s).toBe(1200);
    expect(feed.snapshot().stale).toBe(true);
  });

  it('bounds outbound requests: a source that never answers times out, a huge reply is cut off', async () => {
    const silent = await serve(() => undefined);
    const feed = new MarketFeed(config({ source: 'mempool', timeout_ms: 200, mempool: { url: silent } }));
    await feed.refresh();
    expect(feed.snapshot().error).toMatch(/timed out/);
    const huge = await serve((_req, _body, res) => res.writeHead(200).end(`{"USD":1,"pad":"${'x'.repeat(20_000)}"}`));
    const big = new MarketFeed(config({ source: 'mempool', max_reply_bytes: 4096, mempool: { url: huge } }));
    await big.refresh();
    expect(big.snapshot().error).toMatch(/limit/);
  });
});
