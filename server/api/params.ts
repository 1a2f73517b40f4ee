import type { z } from 'zod';
import { ApiError } from './errors.js';

/**
 * One plain sentence for the first problem in a query or body: the parameter, what is allowed, what was given.
 * "step must be a number of seconds or a duration such as 10s, 5m, 1h or 1d (got 'abc')", not zod's
 * "Invalid input: expected number, received NaN".
 */
export function invalidParameter(error: z.ZodError, input: unknown): ApiError {
  const issue = error.issues[0];
  if (!issue) return new ApiError(400, 'invalid_parameter', 'the request is invalid');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.join(', ');
    return new ApiError(400, 'invalid_parameter', `unknown parameter ${keys}`);
  }
  const name = issue.path.join('.') || 'query';
  const given = issue.path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined), input);
  const got = given === undefined ? ' (missing)' : ` (got '${String(given).slice(0, 60)}')`;
  const allowed = issue.code === 'invalid_value' ? `must be one of ${issue.values.map(String).join(', ')}` : issue.message;
  return new ApiError(400, 'invalid_parameter', `${name} ${allowed}${got}`);
}

const UNITS = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 } as const;

/** "10s", "5m", "1h", "2d", "1w" in milliseconds, or plain seconds ("300"); null when it is neither. */
export function durationMs(raw: string): number | null {
  const match = /^(\d{1,12})(s|m|h|d|w)?$/.exec(raw);
  if (!match) return null;
  return Number(match[1]) * (match[2] ? UNITS[match[2] as keyof typeof UNITS] : 1000);
}
