import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export interface Recovery {
  /** WAL frames past the last intact commit (a write torn by a crash or power cut): SQLite ignores them. */
  torn_wal_frames: number;
  /** Database files that could not be read at start, moved aside (history.db.corrupt-<time>) for a fresh one. */
  corrupt_files: number;
}

export const DB_FILE = 'history.db';

/** WAL header 32 bytes, then frames of a 24-byte header and one page (https://sqlite.org/fileformat2.html#walformat). */
const WAL_HEADER = 32;
const FRAME_HEADER = 24;

/**
 * Opens the history database in `dir`, surviving what a crash leaves behind. A torn tail in the write-ahead log
 * is skipped by SQLite's own recovery (frames after the last valid commit are ignored); it is counted here from the
 * WAL size against the frames SQLite kept. A file that is not a database or fails its integrity check is moved
 * aside and counted, and history starts again: never fatal, never silently overwritten.
 */
export function openHistoryDb(dir: string, schema: string): { db: Database.Database; recovery: Recovery } {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, DB_FILE);
  const recovery: Recovery = { torn_wal_frames: 0, corrupt_files: 0 };
  const walBytes = existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0;
  try {
    const db = open(file, schema);
    if (walBytes > WAL_HEADER) {
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      const frames = Math.floor((walBytes - WAL_HEADER) / (FRAME_HEADER + pageSize));
      const partial = (walBytes - WAL_HEADER) % (FRAME_HEADER + pageSize) > 0 ? 1 : 0;
      // wal_checkpoint reports the frames recovery kept (the log); the rest of the file was torn or uncommitted.
      const [row] = db.pragma('wal_checkpoint(TRUNCATE)') as { log: number }[];
      recovery.torn_wal_frames = Math.max(0, frames + partial - Math.max(0, row?.log ?? 0));
    }
    return { db, recovery };
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (!/^SQLITE_(CORRUPT|NOTADB)/.test(code) && !(err instanceof CorruptError)) throw err;
    const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(file, aside);
    for (const suffix of ['-wal', '-shm']) if (existsSync(file + suffix)) renameSync(file + suffix, aside + suffix);
    recovery.corrupt_files++;
    return { db: open(file, schema), recovery };
  }
}

class CorruptError extends Error {}

function open(file: string, schema: string): Database.Database {
  const db = new Database(file);
  try {
    // Incremental auto-vacuum lets the size cap give pages back to the file system (it must precede the first table).
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a power cut may lose the last commits but never corrupts (https://sqlite.org/pragma.html#pragma_synchronous).
    db.pragma('synchronous = NORMAL');
    // 64 MiB of page cache (the default is 2 MiB): a day of raw rows of a few hundred rigs stays hot for inserts.
    db.pragma('cache_size = -65536');
    const check = db.pragma('quick_check(1)', { simple: true });
    if (check !== 'ok') throw new CorruptError(String(check));
    db.exec(schema);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
