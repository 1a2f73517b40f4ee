/** Planner figures as people read them: $12.3M, $4,210, 45.0 MW. */
export function usd(value: number): string {
  const abs = Math.abs(value);
  const sign = value < 0 ? '−' : '';
  if (abs >= 1e9) return `${sign}$${(abs / 1e9).toFixed(2)}B`;
  if (abs >= 1e6) return `${sign}$${(abs / 1e6).toFixed(1)}M`;
  if (abs >= 1e4) return `${sign}$${(abs / 1e3).toFixed(0)}k`;
  return `${sign}$${abs.toLocaleString('en-US', { maximumFractionDigits: abs < 10 ? 2 : 0 })}`;
}

export function mw(value: number): string {
  return `${value.toFixed(value >= 100 ? 0 : 1)} MW`;
}

export function pct(share: number, digits = 0): string {
  return `${(share * 100).toFixed(digits)}%`;
}

/** Compact plain number for axis values: 141.7T, 75k, 0.12. */
export function compact(value: number): string {
  const abs = Math.abs(value);
  for (const [div, suffix] of [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'k']] as const) {
    if (abs >= div) return `${Number((value / div).toPrecision(4))}${suffix}`;
  }
  return String(Number(value.toPrecision(4)));
}
