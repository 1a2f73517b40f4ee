/**
 * CSV as RFC 4180 writes it (fields with commas, quotes or line breaks quoted, quotes doubled), with a guard against
 * spreadsheet formula injection: a text field starting with = + - @ gets a leading apostrophe (OWASP "CSV
 * Injection"), since rig names and alert messages come from agents.
 */
export function toCsv(header: string[], rows: (string | number | null | undefined)[][]): string {
  const field = (v: string | number | null | undefined): string => {
    if (v === null || v === undefined) return '';
    if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
    const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}
