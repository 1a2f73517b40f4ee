/**
 * Live market figures as an adapter returns them. Each adapter may leave a figure out (bitcoind has no price);
 * the feed fills it from `planner.market`. Every figure is checked against a sane range before use, so a broken
 * or hostile reply (NaN, a negative difficulty, a price of 10^30) is refused whole and never reaches the figures.
 */
export interface LiveFigures {
  btc_price_usd?: number;
  difficulty?: number;
  fees_btc_per_block?: number;
  block_subsidy_btc?: number;
}

const RANGES: Record<keyof LiveFigures, [number, number]> = {
  btc_price_usd: [1, 1e8],
  // Difficulty 1 is the minimum by definition; 10^18 is far above today's ~10^14.
  difficulty: [1, 1e18],
  fees_btc_per_block: [0, 1000],
  block_subsidy_btc: [0, 50],
};

/** The first figure out of range, as a one-line reason, or null when all are plausible. */
export function implausible(figures: LiveFigures): string | null {
  for (const [key, [min, max]] of Object.entries(RANGES) as [keyof LiveFigures, [number, number]][]) {
    const value = figures[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) return `${key} ${String(value)} is outside ${min}..${max}`;
  }
  return null;
}

export const SATS_PER_BTC = 100_000_000;

/** A number, or a string of digits (mempool's reward-stats sends sats as strings); anything else is refused. */
export function numeric(value: unknown, what: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value)) return Number(value);
  throw new Error(`${what} is not a number`);
}

export function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} is not an object`);
  return value as Record<string, unknown>;
}

export interface AdapterOptions {
  timeoutMs: number;
  maxBytes: number;
  feeBlocks: number;
}

export type MarketAdapter = (options: AdapterOptions) => Promise<LiveFigures>;
