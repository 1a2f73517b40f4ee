import { createHmac, randomBytes } from 'node:crypto';
import { digestEquals, randomSecret } from './secrets.js';

/**
 * Stateless session cookies: `base64url({u, exp}).hmac`. Signed with auth.session_secret so any instance behind a
 * load balancer accepts any other's session; the user is looked up on every request, so deleting a user or
 * changing their role ends the session at once (the cookie carries the role it was issued for), logout revokes the
 * session's id (CredentialStore.revokeSession, shared by every instance through the credentials file), and the
 * expiry bounds how long a stolen cookie is worth anything.
 */
export const SESSION_COOKIE = 'rigline_session';

export interface Session {
  username: string;
  expiresMs: number;
  /** Random id: logout revokes it (the credentials file lists revoked ids until they expire). */
  id: string;
  /** The role at login: a session whose user's role changed since has ended (demotion ends sessions). */
  role: string;
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

  issue(username: string, role: string, nowMs = Date.now()): { value: string; session: Session } {
    const session = { username, expiresMs: nowMs + this.ttlMs, id: randomBytes(12).toString('base64url'), role };
    const body = Buffer.from(JSON.stringify({ u: username, exp: session.expiresMs, sid: session.id, r: role })).toString('base64url');
    return { value: `${body}.${this.mac(body)}`, session };
  }

  verify(value: string | undefined, nowMs = Date.now()): Session | null {
    if (!value || value.length > 1024) return null;
    const dot = value.indexOf('.');
    if (dot <= 0) return null;
    const body = value.slice(0, dot);
    if (!digestEquals(value.slice(dot + 1), this.mac(body))) return null;
    try {
      const parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { u?: unknown; exp?: unknown; sid?: unknown; r?: unknown };
      if (typeof parsed.u !== 'string' || typeof parsed.exp !== 'number' || parsed.exp <= nowMs) return null;
      if (typeof parsed.sid !== 'string' || typeof parsed.r !== 'string') return null;
      return { username: parsed.u, expiresMs: parsed.exp, id: parsed.sid, role: parsed.r };
    } catch {
      return null;
    }
  }
}
