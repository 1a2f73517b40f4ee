/** Display helpers: one place decides how figures read, with units. */
export function fmtHashrate(ths: number): string {
  if (ths >= 1e6) return `${(ths / 1e6).toFixed(2)} EH/s`;
  if (ths >= 1e3) return `${(ths / 1e3).toFixed(2)} PH/s`;
  return `${ths.toFixed(1)} TH/s`;
}

export function fmtPower(kw: number): string {
  return kw >= 1000 ? `${(kw / 1000).toFixed(2)} MW` : `${kw.toFixed(1)} kW`;
}

export function fmtOrDash(value: number | null, digits: number, unit: string): string {
  return value === null ? '—' : `${value.toFixed(digits)} ${unit}`;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
