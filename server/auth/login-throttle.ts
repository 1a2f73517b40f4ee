/**
 * Failed logins are counted per (username, client address), not per address alone: behind one NAT a whole site
 * shares an address, and one person's typos (or an attacker guessing one account) must not lock everyone else out.
 * After `maxFailures` failures within a minute the pair is locked, for one minute the first time and twice as long
 * each time after (capped at `maxLockMs`); the right password works again once the lock has passed, and a successful
 * login forgets the pair. Memory is bounded: at most `maxEntries` pairs, the stalest dropped first.
 */
const WINDOW_MS = 60_000;
/** After this long without a failure a pair starts from scratch (its backoff too). */
const FORGET_MS = 3_600_000;

interface Entry {
  failures: number[];
  lockedUntil: number;
  lockouts: number;
  lastFailure: number;
}

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxFailures: number,
    private readonly maxLockMs = 15 * 60_000,
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  private key(username: string, address: string): string {
    return `${username.toLowerCase()}\n${address}`;
  }

  /** Milliseconds the pair must still wait, or 0 when it may try. */
  retryAfterMs(username: string, address: string): number {
    const entry = this.entries.get(this.key(username, address));
    if (!entry) return 0;
    return Math.max(0, entry.lockedUntil - this.now());
  }

  failed(username: string, address: string): void {
    const key = this.key(username, address);
    const now = this.now();
    let entry = this.entries.get(key);
    if (entry && now - entry.lastFailure > FORGET_MS) entry = undefined;
    if (!entry) entry = { failures: [], lockedUntil: 0, lockouts: 0, lastFailure: now };
    this.entries.delete(key); // re-inserted last: Map order is staleness order
    entry.failures = entry.failures.filter((t) => now - t < WINDOW_MS);
    entry.failures.push(now);
    entry.lastFailure = now;
    if (entry.failures.length >= this.maxFailures) {
      entry.lockouts++;
      entry.lockedUntil = now + Math.min(this.maxLockMs, WINDOW_MS * 2 ** (entry.lockouts - 1));
      entry.failures = [];
    }
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  succeeded(username: string, address: string): void {
    this.entries.delete(this.key(username, address));
  }
}
