import { randomBytes } from 'node:crypto';
import { parseCookie } from 'cookie';
import type { Config } from '../config/schema.js';
import { capRole, type Role } from './roles.js';
import { SESSION_COOKIE, SessionSigner } from './sessions.js';
import { USER_ITERATIONS, digestEquals, hashPassword, randomSecret, tokenDigest, verifyPassword } from './secrets.js';
import type { CredentialStore } from './store.js';

/** Who is making a request: a logged-in person, a script with an API token, or an anonymous visitor. */
export interface Principal {
  kind: 'user' | 'token' | 'anonymous';
  username: string | null;
  role: Role;
  tokenId?: string;
  /** The cookie session's id and expiry (logout revokes it). */
  session?: { id: string; expiresMs: number };
}

/** What came with the request; `invalid` when credentials were presented but are wrong, expired or revoked. */
export type Resolution = { principal: Principal } | { invalid: string } | { none: true };

interface Person {
  username: string;
  role: Role;
  hash: string;
}

const TOKEN_PATTERN = /^rl_([a-f0-9]{16})\.([A-Za-z0-9_-]{20,128})$/;
// Verifying against this when a user does not exist keeps "no such user" and "wrong password" equally slow.
const DUMMY_HASH = hashPassword(randomSecret(), USER_ITERATIONS);

export class Identity {
  readonly sessions: SessionSigner;
  /** The demo's admin, when auth.demo_admin: its password is printed once at start and kept nowhere else. */
  readonly demoAdmin: { username: string; password: string; hash: string } | null;

  constructor(
    private readonly store: CredentialStore,
    private readonly auth: Config['auth'],
  ) {
    this.sessions = new SessionSigner(auth.session_secret, auth.session_ttl_minutes * 60_000);
    if (auth.demo_admin) {
      const password = randomSecret(12);
      this.demoAdmin = { username: 'admin', password, hash: hashPassword(password, USER_ITERATIONS) };
    } else {
      this.demoAdmin = null;
    }
  }

  get anonymousRole(): Role | null {
    return this.auth.anonymous === 'none' ? null : this.auth.anonymous;
  }

  person(username: string): Person | undefined {
    const fromConfig = this.auth.users.find((u) => u.username === username);
    if (fromConfig) return { username, role: fromConfig.role, hash: fromConfig.password_hash };
    const stored = this.store.user(username);
    if (stored) return stored;
    if (this.demoAdmin && username === this.demoAdmin.username) return { username, role: 'admin', hash: this.demoAdmin.hash };
    return undefined;
  }

  /** Checks a person's password; the same work is done whether or not the user exists. */
  login(username: string, password: string): Person | null {
    const person = this.person(username);
    const ok = verifyPassword(password, person?.hash ?? DUMMY_HASH);
    return person && ok ? person : null;
  }

  issueToken(owner: Person, role: Role, name: string): { id: string; token: string } {
    const id = randomBytes(8).toString('hex');
    const secret = randomSecret();
    this.store.putToken({
      id,
      name,
      username: owner.username,
      role: capRole(role, owner.role),
      digest: tokenDigest(secret),
      created: new Date().toISOString(),
      revoked: null,
    });
    return { id, token: `rl_${id}.${secret}` };
  }

  private fromToken(value: string): Resolution {
    const match = TOKEN_PATTERN.exec(value);
    if (!match) return { invalid: 'malformed token' };
    const record = this.store.token(match[1] as string);
    if (!record || !digestEquals(record.digest, tokenDigest(match[2] as string))) return { invalid: 'unknown token' };
    if (record.revoked) return { invalid: 'token revoked' };
    const owner = this.person(record.username);
    if (!owner) return { invalid: 'token owner no longer exists' };
    return { principal: { kind: 'token', username: owner.username, role: capRole(record.role, owner.role), tokenId: record.id } };
  }

  /** Resolves the credentials of an HTTP request or a socket.io handshake (cookie, or `Authorization: Bearer`). */
  resolve(cookieHeader: string | undefined, authorization: string | undefined): Resolution {
    if (authorization) {
      const [scheme, value] = authorization.split(' ', 2);
      if (scheme?.toLowerCase() !== 'bearer' || !value) return { invalid: 'expected Authorization: Bearer <token>' };
      return this.fromToken(value.trim());
    }
    const cookie = cookieHeader ? parseCookie(cookieHeader)[SESSION_COOKIE] : undefined;
    if (cookie) {
      const session = this.sessions.verify(cookie);
      const person = session ? this.person(session.username) : undefined;
      // An expired, forged or logged-out cookie, or one whose user was deleted or given another role since, is
      // treated as absent: the visitor is simply logged out.
      if (session && person && person.role === session.role && !this.store.sessionRevoked(session.id)) {
        return { principal: { kind: 'user', username: person.username, role: person.role, session: { id: session.id, expiresMs: session.expiresMs } } };
      }
    }
    return { none: true };
  }

  /** The principal for a resolution, falling back to the anonymous role; null when login is required. */
  principalOf(resolution: Resolution): Principal | null {
    if ('principal' in resolution) return resolution.principal;
    if ('invalid' in resolution) return null;
    const role = this.anonymousRole;
    return role ? { kind: 'anonymous', username: null, role } : null;
  }
}
