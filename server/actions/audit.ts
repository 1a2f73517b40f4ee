import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ActionCommand, ActionRecord, ActionState } from '../contract/index.js';

/** One action as the server keeps it: the public record plus the command as sent (pool passwords included). */
export interface ActionEntry {
  record: ActionRecord;
  command: ActionCommand;
}

export interface ActionQuery {
  rig?: string;
  site?: string;
  by?: string;
  state?: ActionState;
  bulk?: string;
  offset: number;
  limit: number;
}

const FINAL: ReadonlySet<ActionState> = new Set(['done', 'failed', 'expired']);
export const isFinal = (state: ActionState): boolean => FINAL.has(state);

/**
 * The audit trail: who asked for what on which rig, when, and what came of it. Every change appends the whole
 * entry as one JSON line to `file` (null: memory only); at start the last line per id wins, so a restart keeps the
 * trail and the commands still pending. Bounded: past `max` entries the oldest finished ones are forgotten, and
 * the file is rewritten when it holds twice as many lines as entries.
 */
export class ActionAudit {
  private readonly entries = new Map<string, ActionEntry>();
  private lines = 0;

  constructor(
    private readonly file: string | null,
    private readonly max: number,
  ) {
    if (file && existsSync(file)) this.load(file);
  }

  private load(file: string): void {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        const entry = JSON.parse(line) as ActionEntry;
        if (typeof entry?.record?.id !== 'string') continue;
        this.entries.delete(entry.record.id);
        this.entries.set(entry.record.id, entry);
        this.lines++;
      } catch {
        // The last line of a crash may be cut short: the entry before it stands.
      }
    }
  }

  get(id: string): ActionEntry | undefined {
    return this.entries.get(id);
  }

  /** Records a new or changed entry, durably when a file is configured. */
  put(entry: ActionEntry): void {
    this.entries.delete(entry.record.id);
    this.entries.set(entry.record.id, entry);
    if (this.file) this.append(entry);
    if (this.entries.size > this.max) this.evict();
  }

  pending(): ActionEntry[] {
    return [...this.entries.values()].filter((e) => !isFinal(e.record.state));
  }

  list(query: ActionQuery): { total: number; items: ActionEntry[] } {
    const matches: ActionEntry[] = [];
    for (const entry of this.entries.values()) {
      const r = entry.record;
      if (query.rig !== undefined && r.rig !== query.rig) continue;
      if (query.site !== undefined && r.site !== query.site) continue;
      if (query.by !== undefined && r.by !== query.by) continue;
      if (query.state !== undefined && r.state !== query.state) continue;
      if (query.bulk !== undefined && r.bulk !== query.bulk) continue;
      matches.push(entry);
    }
    // Newest first: created, then insertion order.
    matches.sort((a, b) => (a.record.created < b.record.created ? 1 : a.record.created > b.record.created ? -1 : 0));
    return { total: matches.length, items: matches.slice(query.offset, query.offset + query.limit) };
  }

  private append(entry: ActionEntry): void {
    const file = this.file as string;
    mkdirSync(dirname(file), { recursive: true });
    const fd = openSync(file, 'a', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(entry)}\n`);
    } finally {
      closeSync(fd);
    }
    this.lines++;
    if (this.lines > 2 * Math.max(this.entries.size, 500)) this.rewrite();
  }

  private evict(): void {
    for (const [id, entry] of this.entries) {
      if (this.entries.size <= this.max) break;
      if (isFinal(entry.record.state)) this.entries.delete(id);
    }
  }

  private rewrite(): void {
    const file = this.file as string;
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, [...this.entries.values()].map((e) => `${JSON.stringify(e)}\n`).join(''), { mode: 0o600 });
    renameSync(tmp, file);
    this.lines = this.entries.size;
  }
}

/** The public view of a record: pool passwords never leave the server again. */
export function publicRecord(record: ActionRecord): ActionRecord {
  const pools = record.params['pools'];
  if (!Array.isArray(pools)) return record;
  return { ...record, params: { ...record.params, pools: pools.map((p: Record<string, unknown>) => ({ ...p, password: '***' })) } };
}
