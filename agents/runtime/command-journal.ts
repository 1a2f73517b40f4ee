import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionResult } from '../../server/contract/index.js';

interface Entry {
  id: string;
  /** Set once the agent has started the command: from then on it never runs again, whatever happens. */
  started: number;
  result: ActionResult | null;
}

/**
 * The agent's memory of command ids it has seen, so a command delivered twice (QoS 1 redelivery, the server
 * sending it again after a reconnect, an agent restart mid-command) runs at most once. One JSON line per event in
 * `commands.jsonl` under the spool dir, written and fsynced before the miner is touched; the newest `max` ids are
 * kept (compacted when the file holds twice that).
 */
export class CommandJournal {
  private readonly entries = new Map<string, Entry>();
  private lines = 0;
  private readonly file: string;

  constructor(
    dir: string,
    private readonly max = 10_000,
  ) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, 'commands.jsonl');
    if (existsSync(this.file)) this.load();
  }

  private load(): void {
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        const event = JSON.parse(line) as { id?: unknown; started?: unknown; result?: ActionResult };
        if (typeof event.id !== 'string') continue;
        const current = this.entries.get(event.id) ?? { id: event.id, started: 0, result: null };
        if (typeof event.started === 'number') current.started = event.started;
        if (event.result) current.result = event.result;
        this.entries.delete(event.id);
        this.entries.set(event.id, current);
        this.lines++;
      } catch {
        // A line cut short by a crash while it was written: the command it names was not started.
      }
    }
  }

  get(id: string): Readonly<Entry> | undefined {
    return this.entries.get(id);
  }

  /** Recorded durably before the action is sent to the miner. */
  started(id: string, at = Date.now()): void {
    this.entries.set(id, { id, started: at, result: null });
    this.append({ id, started: at });
  }

  finished(result: ActionResult): void {
    const entry = this.entries.get(result.id) ?? { id: result.id, started: 0, result: null };
    entry.result = result;
    this.entries.set(result.id, entry);
    this.append({ id: result.id, result });
  }

  private append(event: object): void {
    const fd = openSync(this.file, 'a');
    try {
      writeSync(fd, `${JSON.stringify(event)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.lines++;
    if (this.lines > 2 * this.max) this.compact();
  }

  private compact(): void {
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
    const text = [...this.entries.values()].map((e) => JSON.stringify(e.result ? { id: e.id, started: e.started, result: e.result } : { id: e.id, started: e.started })).join('\n');
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, text ? `${text}\n` : '');
    renameSync(tmp, this.file);
    this.lines = this.entries.size;
  }
}
