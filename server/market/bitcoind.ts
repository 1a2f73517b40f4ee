import { fetchBounded } from '../util/fetch-bounded.js';
import { numeric, object, SATS_PER_BTC, type AdapterOptions, type LiveFigures } from './figures.js';

export interface BitcoindEndpoint {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
}

/**
 * A Bitcoin Core node over JSON-RPC (developer.bitcoin.org/reference/rpc): `getmininginfo` → `{ blocks, difficulty,
 * networkhashps, pooledtx, chain, … }`, then one batched call of `getblockstats <height> ["height","subsidy","totalfee"]`
 * for the last `feeBlocks` blocks (capped at 144: one request each), amounts in sats. bitcoind knows no price.
 */
export async function readBitcoind(endpoint: BitcoindEndpoint, options: AdapterOptions): Promise<LiveFigures> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (endpoint.username !== undefined) headers.authorization = `Basic ${Buffer.from(`${endpoint.username}:${endpoint.password ?? ''}`).toString('base64')}`;
  const call = async (body: unknown): Promise<unknown> => {
    const text = await fetchBounded(endpoint.url, options.timeoutMs, options.maxBytes, { method: 'POST', headers, body: JSON.stringify(body) });
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Error('bitcoind reply is not JSON');
    }
  };
  const result = (reply: unknown, what: string): Record<string, unknown> => {
    const r = object(reply, what);
    if (r.error) throw new Error(`${what}: ${JSON.stringify(r.error).slice(0, 160)}`);
    return object(r.result, `${what} result`);
  };
  const info = result(await call({ jsonrpc: '1.0', id: 'rigline', method: 'getmininginfo', params: [] }), 'getmininginfo');
  const tip = numeric(info.blocks, 'getmininginfo blocks');
  const count = Math.min(options.feeBlocks, 144, tip + 1);
  const batch = Array.from({ length: count }, (_, i) => ({ jsonrpc: '1.0', id: i, method: 'getblockstats', params: [tip - i, ['height', 'subsidy', 'totalfee']] }));
  const replies = await call(batch);
  if (!Array.isArray(replies) || replies.length !== count) throw new Error('getblockstats batch reply is not a list of the blocks asked for');
  let fees = 0;
  let tipSubsidy: number | null = null;
  for (const reply of replies) {
    const stats = result(reply, 'getblockstats');
    fees += numeric(stats.totalfee, 'getblockstats totalfee');
    if (numeric(stats.height, 'getblockstats height') === tip) tipSubsidy = numeric(stats.subsidy, 'getblockstats subsidy');
  }
  if (tipSubsidy === null) throw new Error('getblockstats did not return the tip block');
  return {
    difficulty: numeric(info.difficulty, 'getmininginfo difficulty'),
    fees_btc_per_block: fees / count / SATS_PER_BTC,
    block_subsidy_btc: tipSubsidy / SATS_PER_BTC,
  };
}
