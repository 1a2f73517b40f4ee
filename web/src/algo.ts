/**
 * Rates of ASICs that do not mine bitcoin (Scrypt, X11, Ethash, Equihash…), shown apart from SHA-256 TH/s: they
 * arrive in base units (H/s or Sol/s) and are written with an SI prefix, with the algorithm named.
 */
const PREFIXES = ['', 'k', 'M', 'G', 'T', 'P', 'E'];

export function fmtAlgoRate(value: number | null | undefined, unit: string | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  let scaled = value;
  let i = 0;
  while (Math.abs(scaled) >= 1000 && i < PREFIXES.length - 1) {
    scaled /= 1000;
    i++;
  }
  return `${scaled.toFixed(scaled >= 100 ? 0 : scaled >= 10 ? 1 : 2)} ${PREFIXES[i]}${unit ?? 'H/s'}`;
}

/** A label for a non-bitcoin rig: its algorithm, and why it is not in the totals. */
export function algoBadge(algorithm: string): string {
  return `<span class="pill algo" title="${algorithm} miner: not bitcoin hashrate, left out of site and fleet totals">${algorithm}</span>`;
}
