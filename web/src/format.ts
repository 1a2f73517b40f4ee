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

export function fmtNum(value: number | null, digits: number): string {
  return value === null ? '—' : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** "3 d 4 h", "12 min", "45 s": uptimes and alert ages. */
export function fmtDuration(seconds: number | null): string {
  if (seconds === null) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 90) return `${s} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

export function fmtAgo(ts: number, now = Date.now()): string {
  const s = (now - ts) / 1000;
  return s < 5 ? 'just now' : `${fmtDuration(s)} ago`;
}

export function fmtTime(ts: number): string {
  return new Date(ts).toLocaleString('en-GB', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** Escapes for HTML text and attribute values; every value from the server goes through it. */
export const h = escapeHtml;
