import { appendFileSync, existsSync, mkdirSync, readFileSync, unwatchFile, watchFile } from 'node:fs';
import { dirname } from 'node:path';
import { isValidId } from '../contract/index.js';

/**
 * Which site owns each rig id: the site it was first seen under. Another site naming the rig is refused
 * (`rig_site_conflict`) whether the rig is online or not, so a site whose agent restarts cannot lose its rigs to
 * another site's agent. Only an admin moves a rig (API or CLI), and the move is logged.
 *
 * Kept across restarts in an append-only JSON-lines file: one line per first sighting or move, the last line for a
 * rig wins. Appending is one write per new rig (rare after start-up) and survives `kill -9` (the page cache keeps
 * it). The file is watched, so a move written by the CLI reaches a running server within a second.
 */
export interface RigSiteEntry {
  rig: string;
  site: string;
  at: string;
  /** Who moved it (admin user or 'cli'); absent for a first sighting. */
  by?: string;
}

export type Claim = 'ok' | 'conflict' | 'site_full';

export class RigSites {
  private owners = new Map<string, string>();
  private perSite = new Map<string, number>();
  private watching = false;

  constructor(readonly file: string | null) {
    this.reload();
  }

  /** Re-reads the file (a move by the CLI); unreadable lines are skipped (a line cut off by a crash). */
  reload(): void {
    if (!this.file || !existsSync(this.file)) return;
    const owners = new Map<string, string>();
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        const entry = JSON.parse(line) as Partial<RigSiteEntry>;
        if (typeof entry.rig === 'string' && typeof entry.site === 'string' && isValidId(entry.rig) && isValidId(entry.site)) {
          owners.set(entry.rig, entry.site);
        }
      } catch {
        // a torn last line: the rig is claimed again by its next sample
      }
    }
    const perSite = new Map<string, number>();
    for (const site of owners.values()) perSite.set(site, (perSite.get(site) ?? 0) + 1);
    this.owners = owners;
    this.perSite = perSite;
  }

  watch(): void {
    if (!this.file || this.watching) return;
    this.watching = true;
    watchFile(this.file, { interval: 1000 }, () => this.reload());
  }

  close(): void {
    if (this.file && this.watching) unwatchFile(this.file);
    this.watching = false;
  }

  siteOf(rig: string): string | undefined {
    return this.owners.get(rig);
  }

  rigCount(site: string): number {
    return this.perSite.get(site) ?? 0;
  }

  get size(): number {
    return this.owners.size;
  }

  /**
   * Whether `site` may report `rig`; a rig never seen is claimed for it unless the site already owns `maxPerSite`
   * rigs. New claims are collected in `pending` and written by `flush()`, once per message.
   */
  claim(site: string, rig: string, maxPerSite: number, pending: RigSiteEntry[]): Claim {
    const owner = this.owners.get(rig);
    if (owner !== undefined) return owner === site ? 'ok' : 'conflict';
    const count = this.perSite.get(site) ?? 0;
    if (count >= maxPerSite) return 'site_full';
    this.owners.set(rig, site);
    this.perSite.set(site, count + 1);
    pending.push({ rig, site, at: new Date().toISOString() });
    return 'ok';
  }

  flush(pending: readonly RigSiteEntry[]): void {
    if (pending.length === 0 || !this.file) return;
    this.append(pending);
  }

  /** An admin's move; returns the previous owner (undefined: the rig was not known, it is now owned by `site`). */
  move(rig: string, site: string, by: string): string | undefined {
    if (!isValidId(rig) || !isValidId(site)) throw new Error('rig and site must match [a-z0-9-], 1 to 64 characters');
    const previous = this.owners.get(rig);
    if (previous !== undefined) this.perSite.set(previous, (this.perSite.get(previous) ?? 1) - 1);
    this.owners.set(rig, site);
    this.perSite.set(site, (this.perSite.get(site) ?? 0) + 1);
    if (this.file) this.append([{ rig, site, at: new Date().toISOString(), by }]);
    return previous;
  }

  private append(entries: readonly RigSiteEntry[]): void {
    const file = this.file as string;
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(file, entries.map((e) => `${JSON.stringify(e)}\n`).join(''), { mode: 0o600 });
  }

  /** Appends a move to a file without a running server (the CLI); the server's watcher picks it up. */
  static moveInFile(file: string, rig: string, site: string, by: string): string | undefined {
    const sites = new RigSites(file);
    return sites.move(rig, site, by);
  }
}
