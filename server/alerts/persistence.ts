import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { Alert, AlertKind } from '../contract/index.js';

/**
 * Alert state kept across restarts (config `alerts.state_file`): active alerts with their ids, acknowledgements and
 * whether their 'opened' notification went out, the newest resolved ones, notes, silences and maintenance windows,
 * and the id counter. Without it every restart re-opened each standing alert under a new id with a second
 * 'opened' webhook (issue 10, finding 9).
 */
const Note = z.object({ at: z.number(), by: z.string(), text: z.string() });
const Silence = z.object({
  id: z.string(),
  kind: z.enum(['silence', 'maintenance']),
  rule: AlertKind.nullable(),
  site: z.string().nullable(),
  rig: z.string().nullable(),
  starts_at: z.number(),
  ends_at: z.number(),
  comment: z.string(),
  created_by: z.string(),
  created_at: z.number(),
});

export const AlertStateFile = z.object({
  version: z.literal(1),
  saved_at: z.number(),
  seq: z.number().int().min(0),
  /** Open and acknowledged alerts; `notified`: the 'opened' notification was handed on (or deliberately withheld). */
  active: z.array(z.object({ alert: Alert, notified: z.boolean() })),
  /** Oldest first, as the engine keeps them. */
  resolved: z.array(Alert),
  notes: z.record(z.string(), z.array(Note)),
  silences: z.array(Silence),
});
export type AlertStateFile = z.infer<typeof AlertStateFile>;

/**
 * Reads the state file. Missing: a fresh start (null). Unreadable or not a state file: one error line, the file is
 * moved aside to `<file>.corrupt-<ms>` (kept for a person to look at, never overwritten) and a fresh start; a bad
 * file must not keep the server down, since alerts re-open from live telemetry anyway.
 */
export function loadAlertState(file: string, log: Pick<Logger, 'error'>, now = Date.now()): AlertStateFile | null {
  if (!existsSync(file)) return null;
  let problem: string;
  try {
    const parsed = AlertStateFile.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    problem = `not an alert state file (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'})`;
  } catch (err) {
    problem = (err as Error).message;
  }
  const aside = `${file}.corrupt-${now}`;
  try {
    renameSync(file, aside);
    log.error(`alerts.state_file ${file} unreadable: ${problem}; moved to ${aside}, starting with no saved alerts`);
  } catch (err) {
    log.error(`alerts.state_file ${file} unreadable: ${problem}; could not move it aside (${(err as Error).message}), starting with no saved alerts`);
  }
  return null;
}

/** Whole-file write: temp file then rename, so a crash mid-write leaves the previous file whole. */
export function writeAlertState(file: string, state: AlertStateFile): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/**
 * Debounced writer: changed() schedules one write at most every `intervalMs`; close() writes what is pending.
 * A failed write is logged and retried at the next change, never thrown into the alert path.
 */
export class AlertStatePersister {
  private timer: NodeJS.Timeout | null = null;
  private dirty = false;
  private lastWrite = 0;

  constructor(
    private readonly file: string,
    private readonly snapshot: () => AlertStateFile,
    private readonly log: Pick<Logger, 'error'>,
    private readonly intervalMs = 1000,
  ) {}

  changed(): void {
    this.dirty = true;
    if (this.timer) return;
    const wait = Math.max(0, this.lastWrite + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, wait);
    this.timer.unref();
  }

  flush(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.lastWrite = Date.now();
    try {
      writeAlertState(this.file, this.snapshot());
    } catch (err) {
      this.dirty = true;
      this.log.error(`alerts.state_file ${this.file}: write failed: ${(err as Error).message}`);
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.flush();
  }
}
