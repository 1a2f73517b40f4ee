import { createHmac } from 'node:crypto';
import { digestEquals, randomSecret } from './secrets.js';

/**
 * Stateless session cookies: `base64url({u, exp}).hmac`. Signed with auth.session_secret so any instance behind a
 * load balancer accepts any other's session; the user is looked up on every request, so deleting a user or
 * changing their role takes effect at once, and the expiry bounds how long a stolen cookie is worth anything.
 */
export const SESSION_COOKIE = 'rigline_session';

export interface Session {
  username: string;
  expiresMs: number;
}

export class SessionSigner {
  private readonly secret: string;

  constructor(
    secret: string | undefined,
    readonly ttlMs: number,
  ) {
    this.secret = secret ?? randomSecret();
  }

  private mac(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }

  issue(username: string, nowMs = Date.now()): { value: string; session: Session } {
    const session = { username, expiresMs: nowMs + this.ttlMs };
    const body = Buffer.from(JSON.stringify({ u: username, exp: session.expiresMs })).toString('base64url');
    return { value: `${body}.${this.mac(body)}`, session };
  }

  verify(value: string | undefined, nowMs = Date.now()): Session | null {
    if (!value || value.length > 1024) return null;
    const dot = value.indexOf('.');
    if (dot <= 0) return null;
    const body = value.slice(0, dot);
    if (!digestEquals(value.slice(dot + 1), this.mac(body))) return null;
    try {
      const parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { u?: unknown; exp?: unknown };
      if (typeof parsed.u !== 'string' || typeof parsed.exp !== 'number' || parsed.exp <= nowMs) return null;
      return { username: parsed.u, expiresMs: parsed.exp };
    } catch {
      return null;
    }
  }
}
