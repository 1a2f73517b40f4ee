import { z } from 'zod';

/** Site and rig ids appear in MQTT topics, InfluxDB tags and URLs, so they are kept to a safe alphabet. */
export const ID_PATTERN = /^[a-z0-9-]{1,64}$/;

export const SiteId = z.string().regex(ID_PATTERN, 'must match [a-z0-9-], 1 to 64 characters');
export const RigId = z.string().regex(ID_PATTERN, 'must match [a-z0-9-], 1 to 64 characters');

export function isValidId(value: string): boolean {
  return ID_PATTERN.test(value);
}

/** Turns an arbitrary host name or label into a valid id (lower case, other characters to '-'). */
export function toId(value: string): string {
  const id = value
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  return id.length > 0 ? id : 'unknown';
}
