import { createHash, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Password hashing in Mosquitto's own format, so one stored hash serves both the embedded broker and Mosquitto's
 * `password_file`: `$7$<iterations>$<base64 salt>$<base64 PBKDF2-HMAC-SHA512 hash>` (mosquitto_passwd ≥ 2.0,
 * 12-byte salt, 64-byte key). Agent and token secrets are 256-bit random values, so the KDF's cost is not what
 * protects them; people's passwords use the same KDF with more iterations.
 */
const SALT_BYTES = 12;
const KEY_BYTES = 64;
export const AGENT_ITERATIONS = 1000;
export const USER_ITERATIONS = 210_000; // OWASP 2023 guidance for PBKDF2-HMAC-SHA512

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function hashPassword(password: string, iterations = AGENT_ITERATIONS): string {
  const salt = randomBytes(SALT_BYTES);
  const key = pbkdf2Sync(password, salt, iterations, KEY_BYTES, 'sha512');
  return `$7$${iterations}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Constant-time check of `password` against a `$7$` hash; false for anything malformed. */
export function verifyPassword(password: string, hash: string): boolean {
  const parts = hash.split('$');
  if (parts.length !== 5 || parts[1] !== '7') return false;
  const iterations = Number(parts[2]);
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > 10_000_000) return false;
  const salt = Buffer.from(parts[3] as string, 'base64');
  const expected = Buffer.from(parts[4] as string, 'base64');
  if (salt.length === 0 || expected.length !== KEY_BYTES) return false;
  const actual = pbkdf2Sync(password, salt, iterations, KEY_BYTES, 'sha512');
  return timingSafeEqual(actual, expected);
}

/** Digest of a high-entropy token (API tokens): one SHA-256 is enough when the secret has 256 random bits. */
export function tokenDigest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function digestEquals(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
