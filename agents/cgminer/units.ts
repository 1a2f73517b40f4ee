/**
 * Number and unit helpers for cgminer-family replies. Firmware sends numbers as JSON numbers or as strings
 * ("37603.30", "156.0000", "" for an absent board), and the hashrate unit lives in the key name: cgminer's
 * API-README names them `MHS av`, `MHS 5s`, `KHS 5s`, `GHS 5s`, … (prefix K/M/G/T/P + `HS`, then the window).
 */

export type Record_ = Record<string, unknown>;

/** A finite number from a JSON number or numeric string; '' / null / garbage / NaN → null. */
export function num(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed === '' || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(trimmed)) return null;
    const parsed = Number(trimmed);
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}

/** A non-negative integer count ("156.0000" → 156); negatives and garbage → null. */
export function count(value: unknown): number | null {
  const n = num(value);
  return n === null || n < 0 ? null : Math.round(n);
}

/** A non-empty trimmed string, else null. Quotes some firmware wraps values in ("'20210322.22.REL'") are removed. */
export function str(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim().replace(/^'(.*)'$/, '$1').trim();
  return trimmed === '' ? null : trimmed;
}

const PREFIX_TO_THS: Record<string, number> = { '': 1e-12, K: 1e-9, M: 1e-6, G: 1e-3, T: 1, P: 1e3 };

/** Factor that converts a rate in the given unit prefix ('GH', 'MHS', 'G'…) to TH/s; null for an unknown unit. */
export function unitToThs(unit: string): number | null {
  const prefix = unit.trim().toUpperCase().replace(/H(S|\/S)?$/, '');
  return PREFIX_TO_THS[prefix] ?? null;
}

const HASHRATE_KEY = /^([KMGTP]?)HS[ _]([0-9]+[smh]|av|avg)$/i;

/** All hashrate keys of a record, converted to TH/s and indexed by window ('5s', '20s', 'av', '1m', …). */
export function hashratesByWindow(record: Record_): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, value] of Object.entries(record)) {
    const match = HASHRATE_KEY.exec(key);
    if (!match) continue;
    const factor = PREFIX_TO_THS[(match[1] ?? '').toUpperCase()];
    const n = num(value);
    if (factor === undefined || n === null || n < 0) continue;
    out.set((match[2] ?? '').toLowerCase().replace(/^avg$/, 'av'), n * factor);
  }
  return out;
}

/**
 * Short-window ("current") hashrate in TH/s. The window follows the firmware: Antminer `GHS 5s`, BFGMiner
 * `MHS 20s` (its log interval), Avalon `MHS 30s`; the shortest window present wins.
 */
export function shortHashrateThs(record: Record_): number | null {
  const rates = hashratesByWindow(record);
  let best: { seconds: number; ths: number } | null = null;
  for (const [window, ths] of rates) {
    const seconds = windowSeconds(window);
    if (seconds === null || seconds > 300) continue;
    if (!best || seconds < best.seconds) best = { seconds, ths };
  }
  return best ? round(best.ths) : null;
}

/** Average-since-start hashrate in TH/s (`MHS av`, `GHS av`). */
export function averageHashrateThs(record: Record_): number | null {
  const av = hashratesByWindow(record).get('av');
  return av === undefined ? null : round(av);
}

function windowSeconds(window: string): number | null {
  const match = /^(\d+)([smh])$/.exec(window);
  if (!match) return null;
  const n = Number(match[1]);
  return match[2] === 's' ? n : match[2] === 'm' ? n * 60 : n * 3600;
}

/** Rounds to 9 decimals (1 kH/s at TH/s, enough for CPU/FPGA rigs) so float noise from conversion does not leak. */
export function round(value: number, digits = 9): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Temperature reading; firmware reports 0 (or below absolute zero, Avalon's -273) for a sensor it did not read. */
export function temp(value: unknown): number | null {
  const n = num(value);
  return n === null || n <= 0 || n > 200 ? null : n;
}

/** Max of a `-`-separated sensor list such as Antminer's temp_chip1 "78-50-69-70"; all zeros → null. */
export function maxOfDashList(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const values = value
    .split('-')
    .map((v) => temp(v))
    .filter((v): v is number => v !== null);
  return values.length > 0 ? Math.max(...values) : null;
}

export function isRecord(value: unknown): value is Record_ {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function clip(text: string, max = 512): string {
  return text.length > max ? text.slice(0, max) : text;
}
