/** Rounds to a number of decimals for display and API figures (no trailing float noise such as 0.30000000000000004). */
export function roundTo(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}
