import type { PlanInputRaw } from '../../../server/planner/contract.js';

/** One editable assumption: where it lives in the plan input, how it reads (unit and display scale). */
export interface Field {
  path: string;
  label: string;
  unit: string;
  /** Display value = input value / scale (difficulty in T, shares in %). */
  scale?: number;
  step?: string;
  /** Only shown for these AI models. */
  models?: string[];
  optional?: boolean;
  /** Bounds in the unit shown (issue #13: utilization shown in % was checked as a fraction). */
  min?: number;
  max?: number;
  /** The upper bound itself is not allowed (a 100 % pool fee keeps nothing). */
  maxExclusive?: boolean;
  /** A select instead of a number (value as is). */
  options?: string[];
  /** A checkbox (boolean). */
  checkbox?: boolean;
}

export const FIELD_GROUPS: { title: string; fields: Field[] }[] = [
  {
    title: 'Market',
    fields: [
      { path: 'market.btc_price_usd', label: 'BTC price', unit: 'USD', step: '1000' },
      { path: 'market.difficulty', label: 'Difficulty', unit: 'T', scale: 1e12, step: '0.1' },
      { path: 'market.fees_btc_per_block', label: 'Fees per block', unit: 'BTC', step: '0.005' },
      { path: 'market.pool_fee', label: 'Pool fee', unit: '%', scale: 0.01, step: '0.1', min: 0, max: 100, maxExclusive: true },
      { path: 'market.difficulty_growth_per_month', label: 'Difficulty growth', unit: '%/month', scale: 0.01, step: '0.5' },
    ],
  },
  {
    title: 'AI capacity',
    fields: [
      { path: 'ai.gpu_hour_usd', label: 'GPU-hour price', unit: 'USD', step: '0.05', models: ['gpu_rental'] },
      { path: 'ai.tokens_per_s_per_gpu', label: 'Tokens per s per GPU', unit: 'tok/s', step: '100', models: ['tokens'] },
      { path: 'ai.throughput_realism', label: 'Throughput realism', unit: '%', scale: 0.01, step: '5', models: ['tokens'], min: 0, max: 100 },
      { path: 'ai.usd_per_million_tokens', label: 'Token price', unit: 'USD/M', step: '0.05', models: ['tokens'] },
      { path: 'ai.utilization', label: 'Utilization', unit: '%', scale: 0.01, step: '1', models: ['gpu_rental', 'tokens'], min: 0, max: 100 },
      { path: 'ai.pue', label: 'PUE', unit: '', step: '0.05', models: ['gpu_rental', 'tokens'], min: 1, max: 3 },
      { path: 'ai.it_kw_per_gpu', label: 'IT kW per GPU', unit: 'kW', step: '0.05', models: ['gpu_rental', 'tokens'] },
      { path: 'ai.other_opex_usd_per_gpu_hour', label: 'Other opex', unit: 'USD/GPU-h', step: '0.01', models: ['gpu_rental', 'tokens'] },
      { path: 'ai.gpu_capex_usd', label: 'GPU capex', unit: 'USD/GPU', step: '1000', models: ['gpu_rental', 'tokens'] },
      { path: 'ai.facility_capex_usd_per_mw_it', label: 'Facility capex', unit: 'M USD/MW IT', scale: 1e6, step: '0.5' },
      { path: 'ai.lease_usd_per_mw_it_year', label: 'Lease', unit: 'M USD/MW IT/yr', scale: 1e6, step: '0.1', models: ['colocation'] },
      { path: 'ai.noi_margin', label: 'NOI margin', unit: '%', scale: 0.01, step: '1', models: ['colocation'], min: 0, max: 100 },
      { path: 'ai.gross_to_it', label: 'Gross to IT', unit: '×', step: '0.05', models: ['colocation'], min: 1, max: 3 },
      { path: 'ai.price_decline_per_year', label: 'GPU-hour price decline', unit: '%/yr', scale: 0.01, step: '1', models: ['gpu_rental', 'tokens'], optional: true, min: 0, max: 100, maxExclusive: true },
      { path: 'ai.ramp_months', label: 'Utilization ramp', unit: 'months', step: '1', optional: true, min: 0, max: 120 },
    ],
  },
  {
    title: 'Finance',
    fields: [
      { path: 'finance.horizon_months', label: 'Horizon', unit: 'months', step: '1' },
      { path: 'finance.discount_rate', label: 'Discount rate', unit: '%/yr', scale: 0.01, step: '0.5', min: 0, max: 100 },
      { path: 'finance.conversion_months', label: 'Conversion time', unit: 'months', step: '1' },
      { path: 'finance.gpu_life_years', label: 'GPU life', unit: 'years', step: '0.5' },
      { path: 'finance.facility_life_years', label: 'Facility life', unit: 'years', step: '1' },
      { path: 'finance.replace_gpus', label: 'Buy GPUs again at end of life', unit: '', checkbox: true },
      { path: 'finance.terminal_value', label: 'Value at horizon', unit: '', options: ['none', 'book'] },
      { path: 'finance.overhead_usd_per_year', label: 'Corporate overhead', unit: 'M USD/yr', scale: 1e6, step: 'any', optional: true },
    ],
  },
  {
    title: 'Treasury',
    fields: [
      { path: 'treasury.btc_held', label: 'BTC held', unit: 'BTC', step: 'any', optional: true },
      { path: 'treasury.sell_btc', label: 'Sell', unit: 'BTC', step: 'any', optional: true },
      { path: 'treasury.sell_price_usd', label: 'Sell price', unit: 'USD', step: 'any', optional: true },
      { path: 'treasury.cash_usd', label: 'Cash', unit: 'M USD', scale: 1e6, step: 'any', optional: true },
      { path: 'treasury.debt_usd', label: 'Debt', unit: 'M USD', scale: 1e6, step: 'any', optional: true },
      { path: 'treasury.debt_interest_rate', label: 'Interest rate', unit: '%/yr', scale: 0.01, step: 'any', optional: true, min: 0, max: 100 },
      { path: 'treasury.repay_debt_usd', label: 'Repay', unit: 'M USD', scale: 1e6, step: 'any', optional: true },
    ],
  },
  {
    title: 'Constraints',
    fields: [
      { path: 'constraints.capex_budget_usd', label: 'Capex budget', unit: 'M USD', scale: 1e6, step: '10', optional: true },
      { path: 'constraints.max_gpus', label: 'GPU supply', unit: 'GPUs', step: '1000', optional: true },
      { path: 'constraints.min_mining_mw', label: 'Keep mining at least', unit: 'MW', step: '1' },
      { path: 'constraints.stages.period_months', label: 'Stage length', unit: 'months', step: '1', optional: true, min: 1, max: 120 },
      { path: 'constraints.stages.periods', label: 'Stages', unit: '', step: '1', optional: true, min: 1, max: 40 },
      { path: 'constraints.stages.capex_budget_usd_per_period', label: 'Budget per stage', unit: 'M USD', scale: 1e6, step: 'any', optional: true },
    ],
  },
  {
    title: 'Risk',
    fields: [
      { path: 'analysis.monte_carlo.runs', label: 'Monte Carlo runs', unit: '', step: '100', optional: true, min: 1, max: 10_000 },
      { path: 'analysis.monte_carlo.seed', label: 'Seed', unit: '', step: '1', optional: true, min: 0 },
      { path: 'analysis.monte_carlo.btc_price_vol_annual', label: 'BTC price volatility', unit: '%/yr', scale: 0.01, step: '5', optional: true, min: 0, max: 500 },
      { path: 'analysis.monte_carlo.gpu_hour_vol_annual', label: 'AI revenue volatility', unit: '%/yr', scale: 0.01, step: '5', optional: true, min: 0, max: 500 },
    ],
  },
];

/** Optional input groups that exist only while one of their fields is set (an empty treasury would be a $0 budget). */
export const OPTIONAL_GROUPS = ['treasury', 'constraints.stages', 'analysis.monte_carlo'] as const;

/**
 * The problem with a value typed into a field, in the unit the form shows, or null: `ai.utilization: 150 % is
 * above 100 %` rather than the API's `expected number to be <=1`.
 */
export function fieldProblem(field: Field, raw: string): string | null {
  const shown = Number(raw);
  if (raw.trim() === '') return field.optional ? null : `${field.path}: required`;
  if (!Number.isFinite(shown)) return `${field.path}: not a number`;
  const unit = field.unit ? ` ${field.unit}` : '';
  if (field.min !== undefined && shown < field.min) return `${field.path}: ${shown}${unit} is below ${field.min}${unit}`;
  if (field.max !== undefined && (field.maxExclusive ? shown >= field.max : shown > field.max)) {
    return `${field.path}: ${shown}${unit} is ${field.maxExclusive ? 'at or above' : 'above'} ${field.max}${unit}`;
  }
  return null;
}

type Tree = Record<string, unknown>;

export function getPath(tree: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Tree)[key] : undefined), tree);
}

export function setPath(tree: Tree, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = tree;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Tree;
  const last = keys[keys.length - 1] as string;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

/** Input value as shown (scaled and rounded so 0.12 reads 12, not 12.000000000000002). */
export function displayValue(field: Field, input: PlanInputRaw): string {
  const value = getPath(input, field.path);
  if (typeof value !== 'number') return '';
  return String(Number((value / (field.scale ?? 1)).toPrecision(10)));
}

/** Reads one form value back into input units; undefined for an empty optional field, NaN when unreadable. */
export function parseValue(field: Field, raw: string): number | undefined {
  if (raw.trim() === '') return field.optional ? undefined : NaN;
  return Number(raw) * (field.scale ?? 1);
}
