import { fetchBounded } from '../util/fetch-bounded.js';
import { numeric, object, SATS_PER_BTC, type AdapterOptions, type LiveFigures } from './figures.js';

/**
 * A mempool.space-compatible REST API (mempool.space/docs/api/rest):
 * - `GET /api/v1/mining/hashrate/3d` → `{ hashrates, difficulty, currentHashrate, currentDifficulty }`;
 * - `GET /api/v1/mining/reward-stats/{blockCount}` → `{ startBlock, endBlock, totalReward, totalFee, totalTx }`,
 *   amounts in sats as digit strings; fees per block = totalFee / (endBlock − startBlock + 1);
 * - `GET /api/v1/prices` → `{ time, USD, EUR, … }`.
 * The subsidy is not read: it follows from the height (endBlock) by the halving schedule.
 */
export async function readMempool(baseUrl: string, options: AdapterOptions): Promise<LiveFigures> {
  const base = baseUrl.replace(/\/+$/, '');
  const get = async (path: string): Promise<Record<string, unknown>> => {
    const text = await fetchBounded(`${base}${path}`, options.timeoutMs, options.maxBytes, { headers: { accept: 'application/json' } });
    try {
      return object(JSON.parse(text), path);
    } catch (err) {
      throw new Error(`${path}: ${(err as Error).message.slice(0, 120)}`, { cause: err });
    }
  };
  const [hashrate, rewards, prices] = await Promise.all([
    get('/api/v1/mining/hashrate/3d'),
    get(`/api/v1/mining/reward-stats/${options.feeBlocks}`),
    get('/api/v1/prices'),
  ]);
  const start = numeric(rewards.startBlock, 'reward-stats startBlock');
  const end = numeric(rewards.endBlock, 'reward-stats endBlock');
  const blocks = end - start + 1;
  if (!(blocks >= 1 && blocks <= 100_000)) throw new Error(`reward-stats covers ${blocks} blocks`);
  return {
    difficulty: numeric(hashrate.currentDifficulty, 'hashrate currentDifficulty'),
    fees_btc_per_block: numeric(rewards.totalFee, 'reward-stats totalFee') / SATS_PER_BTC / blocks,
    block_subsidy_btc: subsidyAtHeight(end + 1),
    btc_price_usd: numeric(prices.USD, 'prices USD'),
  };
}

/** Block subsidy at a height: 50 BTC halved every 210,000 blocks (Bitcoin Core GetBlockSubsidy), in whole sats. */
export function subsidyAtHeight(height: number): number {
  const halvings = Math.floor(height / 210_000);
  if (halvings >= 64) return 0;
  return Math.floor((50 * SATS_PER_BTC) / 2 ** halvings) / SATS_PER_BTC;
}
