import { existsSync, mkdirSync, readFileSync, renameSync, unwatchFile, watchFile, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { RigId, SiteId } from '../contract/index.js';
import { ROLES } from './roles.js';

/**
 * The credentials file: MQTT agents, people and API tokens, with hashes only (never a secret). The CLI and the
 * admin API write it atomically (temp file + rename); every server instance reloads it when it changes, so a
 * revocation takes effect everywhere within a second.
 */
const Name = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/, 'letters, digits, . _ -, 1 to 64 characters');

export const AgentRecord = z.object({
  username: Name,
  /** 'agent' publishes under its site; 'ingest' is a server instance that subscribes. */
  kind: z.enum(['agent', 'ingest']),
  site: SiteId.nullable(),
  /** When set, the agent may publish only these rigs' topics (a rig agent); otherwise any source in its site. */
  rigs: z.array(RigId).nullable(),
  hash: z.string(),
  created: z.string(),
  revoked: z.string().nullable(),
});
export type AgentRecord = z.infer<typeof AgentRecord>;

export const UserRecord = z.object({
  username: Name,
  role: z.enum(ROLES),
  hash: z.string(),
  created: z.string(),
  /** Sites this person may act on (operator actions, issue 14); absent or null: every site. */
  sites: z.array(SiteId).nullable().optional(),
});
export type UserRecord = z.infer<typeof UserRecord>;

export const TokenRecord = z.object({
  id: z.string().regex(/^[a-f0-9]{16}$/),
  name: z.string().max(128),
  /** The user the token acts for; its role is capped by the user's role at use. */
  username: Name,
  role: z.enum(ROLES),
  digest: z.string(),
  created: z.string(),
  revoked: z.string().nullable(),
});
export type TokenRecord = z.infer<typeof TokenRecord>;

/** A logged-out session, listed until its cookie would have expired anyway. */
const RevokedSession = z.object({ id: z.string().max(64), until: z.number() });

const FileShape = z.object({
  version: z.literal(1),
  agents: z.array(AgentRecord),
  users: z.array(UserRecord),
  tokens: z.array(TokenRecord),
  revoked_sessions: z.array(RevokedSession).default([]),
});
type FileShape = z.infer<typeof FileShape>;

const empty = (): FileShape => ({ version: 1, agents: [], users: [], tokens: [], revoked_sessions: [] });

export class CredentialStore {
  private data: FileShape = empty();
  private readonly listeners = new Set<() => void>();
  private watching = false;

  /** `file` null keeps everything in memory (tests, the demo without a file). */
  constructor(readonly file: string | null) {
    this.reload();
  }

  static read(file: string): FileShape {
    if (!existsSync(file)) return empty();
    const parsed = FileShape.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${file}: ${issue?.path.join('.')}: ${issue?.message}`);
    }
    return parsed.data;
  }

  reload(): void {
    if (this.file) this.data = CredentialStore.read(this.file);
    for (const listener of this.listeners) listener();
  }

  /** Reloads on change (polling: works on every filesystem and across containers sharing a volume). */
  watch(onChange?: () => void): void {
    if (onChange) this.listeners.add(onChange);
    if (!this.file || this.watching) return;
    this.watching = true;
    watchFile(this.file, { interval: 500 }, () => {
      try {
        this.reload();
      } catch {
        // A half-written file from another writer: the next change reloads it.
      }
    });
  }

  close(): void {
    if (this.file && this.watching) unwatchFile(this.file);
    this.watching = false;
    this.listeners.clear();
  }

  private save(): void {
    if (this.file) {
      mkdirSync(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(this.data, null, 2)}\n`, { mode: 0o600 });
      renameSync(tmp, this.file);
    }
    for (const listener of this.listeners) listener();
  }

  agents(): readonly AgentRecord[] {
    return this.data.agents;
  }
  agent(username: string): AgentRecord | undefined {
    return this.data.agents.find((a) => a.username === username);
  }
  putAgent(record: AgentRecord): void {
    this.data.agents = [...this.data.agents.filter((a) => a.username !== record.username), AgentRecord.parse(record)];
    this.save();
  }
  revokeAgent(username: string, at = new Date()): boolean {
    const agent = this.agent(username);
    if (!agent || agent.revoked) return false;
    this.putAgent({ ...agent, revoked: at.toISOString() });
    return true;
  }

  users(): readonly UserRecord[] {
    return this.data.users;
  }
  user(username: string): UserRecord | undefined {
    return this.data.users.find((u) => u.username === username);
  }
  putUser(record: UserRecord): void {
    this.data.users = [...this.data.users.filter((u) => u.username !== record.username), UserRecord.parse(record)];
    this.save();
  }
  deleteUser(username: string): boolean {
    const before = this.data.users.length;
    this.data.users = this.data.users.filter((u) => u.username !== username);
    if (before === this.data.users.length) return false;
    this.save();
    return true;
  }

  /** Ends a session (logout) everywhere; expired entries are pruned as new ones are added. */
  revokeSession(id: string, untilMs: number, nowMs = Date.now()): void {
    this.data.revoked_sessions = [...this.data.revoked_sessions.filter((s) => s.until > nowMs && s.id !== id), { id, until: untilMs }];
    this.save();
  }
  sessionRevoked(id: string): boolean {
    return this.data.revoked_sessions.some((s) => s.id === id);
  }

  tokens(): readonly TokenRecord[] {
    return this.data.tokens;
  }
  token(id: string): TokenRecord | undefined {
    return this.data.tokens.find((t) => t.id === id);
  }
  putToken(record: TokenRecord): void {
    this.data.tokens = [...this.data.tokens.filter((t) => t.id !== record.id), TokenRecord.parse(record)];
    this.save();
  }
  revokeToken(id: string, at = new Date()): boolean {
    const token = this.token(id);
    if (!token || token.revoked) return false;
    this.putToken({ ...token, revoked: at.toISOString() });
    return true;
  }
}
