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
}

export const FIELD_GROUPS: { title: string; fields: Field[] }[] = [
  {
    title: 'Market',
    fields: [
      { path: 'market.btc_price_usd', label: 'BTC price', unit: 'USD', step: '1000' },
      { path: 'market.difficulty', label: 'Difficulty', unit: 'T', scale: 1e12, step: '0.1' },
      { path: 'market.fees_btc_per_block', label: 'Fees per block', unit: 'BTC', step: '0.005' },
      { path: 'market.pool_fee', label: 'Pool fee', unit: '%', scale: 0.01, step: '0.1' },
      { path: 'market.difficulty_growth_per_month', label: 'Difficulty growth', unit: '%/month', scale: 0.01, step: '0.5' },
    ],
  },
  {
    title: 'AI capacity',
    fields: [
      { path: 'ai.gpu_hour_usd', label: 'GPU-hour price', unit: 'USD', step: '0.05', models: ['gpu_rental'] },
      { path: 'ai.tokens_per_s_per_gpu', label: 'Tokens per s per GPU', unit: 'tok/s', step: '100', models: ['tokens'] },
      { path: 'ai.throughput_realism', label: 'Throughput realism', unit: '%', scale: 0.01, step: '5', models: ['tokens'] },
      { path: 'ai.usd_per_million_tokens', label: 'Token price', unit: 'USD/M', step: '0.05', models: ['tokens'] },
      { path: 'ai.utilization', label: 'Utilization', unit: '%', scale: 0.01, step: '1', models: ['gpu_rental', 'tokens'] },
      { path: 'ai.pue', label: 'PUE', unit: '', step: '0.05', models: ['gpu_rental', 'tokens'] },
      { path: 'ai.it_kw_per_gpu', label: 'IT kW per GPU', unit: 'kW', step: '0.05', models: ['gpu_rental', 'tokens'] },
      { path: 'ai.other_opex_usd_per_gpu_hour', label: 'Other opex', unit: 'USD/GPU-h', step: '0.01', models: ['gpu_rental', 'tokens'] },
      { path: 'ai.gpu_capex_usd', label: 'GPU capex', unit: 'USD/GPU', step: '1000', models: ['gpu_rental', 'tokens'] },
      { path: 'ai.facility_capex_usd_per_mw_it', label: 'Facility capex', unit: 'M USD/MW IT', scale: 1e6, step: '0.5' },
      { path: 'ai.lease_usd_per_mw_it_year', label: 'Lease', unit: 'M USD/MW IT/yr', scale: 1e6, step: '0.1', models: ['colocation'] },
      { path: 'ai.noi_margin', label: 'NOI margin', unit: '%', scale: 0.01, step: '1', models: ['colocation'] },
      { path: 'ai.gross_to_it', label: 'Gross to IT', unit: '×', step: '0.05', models: ['colocation'] },
    ],
  },
  {
    title: 'Finance',
    fields: [
      { path: 'finance.horizon_months', label: 'Horizon', unit: 'months', step: '1' },
      { path: 'finance.discount_rate', label: 'Discount rate', unit: '%/yr', scale: 0.01, step: '0.5' },
      { path: 'finance.conversion_months', label: 'Conversion time', unit: 'months', step: '1' },
      { path: 'finance.gpu_life_years', label: 'GPU life', unit: 'years', step: '0.5' },
      { path: 'finance.facility_life_years', label: 'Facility life', unit: 'years', step: '1' },
    ],
  },
  {
    title: 'Constraints',
    fields: [
      { path: 'constraints.capex_budget_usd', label: 'Capex budget', unit: 'M USD', scale: 1e6, step: '10', optional: true },
      { path: 'constraints.max_gpus', label: 'GPU supply', unit: 'GPUs', step: '1000', optional: true },
      { path: 'constraints.min_mining_mw', label: 'Keep mining at least', unit: 'MW', step: '1' },
    ],
  },
];

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
