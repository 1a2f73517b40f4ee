/**
 * Value parsing shared by the nvidia-smi XML and CSV parsers. nvidia-smi reports unknown values as text, never as a
 * number: "N/A", "[N/A]", "[Not Supported]", "[Unknown Error]", "[Insufficient Permissions]", "[GPU is lost]",
 * "[Requested functionality has been deprecated]". All of them become null (unknown), never 0.
 */
const NUMBER_WITH_UNIT = /^([-+]?\d+(?:\.\d+)?)\s*(%|[A-Za-z]+(?:\/s)?)?$/;

/** True for every spelling nvidia-smi uses for "no value". */
export function isUnavailable(raw: string | null | undefined): boolean {
  if (raw === null || raw === undefined) return true;
  const value = raw.trim();
  return value === '' || value === 'N/A' || (value.startsWith('[') && value.endsWith(']'));
}

/**
 * Parses "433.78 W", "81559 MiB", "53 C", "1980 MHz", "65 %" or a bare number. A unit other than the expected one
 * (e.g. "GiB" where MiB was asked) is converted when it is a known memory unit, otherwise the value is rejected:
 * a silently wrong number is worse than an unknown one.
 */
export function parseQuantity(raw: string | null | undefined, expectedUnit?: string): number | null {
  if (isUnavailable(raw)) return null;
  const match = NUMBER_WITH_UNIT.exec((raw as string).trim());
  if (!match) return null;
  const value = Number(match[1]);
  if (!Number.isFinite(value)) return null;
  const unit = match[2];
  if (!unit || !expectedUnit || unit === expectedUnit) return value;
  const mib = MEMORY_UNITS_IN_MIB[unit];
  const expectedMib = MEMORY_UNITS_IN_MIB[expectedUnit];
  if (mib !== undefined && expectedMib !== undefined) return (value * mib) / expectedMib;
  return null;
}

const MEMORY_UNITS_IN_MIB: Record<string, number> = { KiB: 1 / 1024, MiB: 1, GiB: 1024, KB: 1 / 1024, MB: 1, GB: 1024 };

/** A non-negative integer count (ECC counters), or null. */
export function parseCount(raw: string | null | undefined): number | null {
  const value = parseQuantity(raw);
  return value !== null && Number.isInteger(value) && value >= 0 ? value : null;
}

/** Text value, null when nvidia-smi reports none. */
export function parseText(raw: string | null | undefined): string | null {
  return isUnavailable(raw) ? null : (raw as string).trim();
}

/** Sums the known values; null when none is known (an unknown counter is not zero). */
export function sumKnown(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0);
}

export function clampPercent(value: number | null): number | null {
  return value === null ? null : Math.min(100, Math.max(0, value));
}

/** A driver version without the note driver 610 appends ("610.62 [Deprecated; … Use KMD Version instead]"). */
export function parseVersion(raw: string | null | undefined): string | null {
  const text = parseText(raw);
  return text === null ? null : text.replace(/\s*\[[^\]]*\]\s*$/, '') || null;
}
