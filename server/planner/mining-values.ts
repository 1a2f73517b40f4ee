/**
 * The mining side of a valuation, kept between re-solves. A scenario grid and a tornado re-value the same fleet
 * dozens of times, and most of them leave the market alone (a GPU-hour price, utilization, PUE, GPU capex, opex,
 * retrofit cost): each site's mining NPV and what it mines before its conversion starts are then unchanged, and
 * only the AI side needs computing again. Keyed by the sites array (identity: plan inputs are never mutated) and a
 * key naming every other input the mining side reads; a few keys per fleet, most recent kept.
 */
export interface MiningValues {
  /** Per site: NPV of mining the whole horizon. */
  npv: Float64Array;
  /** Per start month, per site: Σ margin × month weight before operation starts (cashflow.ts minedBefore). */
  minedBefore: Float64Array[];
}

const KEYS_PER_FLEET = 4;
const cache = new WeakMap<object, Map<string, MiningValues>>();

export function cachedMiningValues(sites: object, key: string, compute: () => MiningValues): MiningValues {
  let entries = cache.get(sites);
  if (!entries) cache.set(sites, (entries = new Map()));
  let values = entries.get(key);
  if (values) {
    entries.delete(key); // most recently used goes last
  } else {
    values = compute();
    if (entries.size >= KEYS_PER_FLEET) entries.delete(entries.keys().next().value as string);
  }
  entries.set(key, values);
  return values;
}
