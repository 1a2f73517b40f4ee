import { isRecord, str, type Record_ } from './units.js';

/**
 * The replies of one poll, by command name (`summary`, `pools`, `stats`, `version`, `devs`, `fans`, …), each in
 * the single-command shape `{ STATUS: [...], SUMMARY: [...], id }`. A multi-command reply (`summary+pools`) wraps
 * each section in a one-element array (cgminer API-README, "Multiple report request"); `splitMultiReply` unwraps it.
 */
export type MinerReplies = Partial<Record<string, Record_>>;

/** Splits a multi-command reply into per-command replies. Returns null if `reply` is not in the multi shape. */
export function splitMultiReply(reply: unknown, commands: readonly string[]): MinerReplies | null {
  if (!isRecord(reply)) return null;
  const out: MinerReplies = {};
  let found = 0;
  for (const command of commands) {
    const section = reply[command];
    const inner = Array.isArray(section) ? section[0] : section;
    if (isRecord(inner)) {
      out[command] = inner;
      found++;
    }
  }
  return found > 0 ? out : null;
}

/** The records of a section (`SUMMARY`, `POOLS`, `DEVS`…), matched case-insensitively; [] when absent. */
export function rows(reply: Record_ | undefined, section: string): Record_[] {
  if (!reply) return [];
  const key = Object.keys(reply).find((k) => k.toUpperCase() === section.toUpperCase());
  const value = key === undefined ? undefined : reply[key];
  if (Array.isArray(value)) return value.filter(isRecord);
  return isRecord(value) ? [value] : [];
}

export function firstRow(reply: Record_ | undefined, section: string): Record_ | undefined {
  return rows(reply, section)[0];
}

/** The STATUS record of a reply (cgminer: `STATUS: [{ STATUS: 'S'|'I'|'W'|'E'|'F', Msg, Description }]`). */
export function statusOf(reply: Record_ | undefined): { ok: boolean; msg: string | null; description: string | null } {
  const status = firstRow(reply, 'STATUS');
  if (!status) return { ok: reply !== undefined, msg: null, description: null };
  const code = str(status['STATUS']);
  return {
    ok: code === null || code === 'S' || code === 'I' || code === 'W',
    msg: str(status['Msg']),
    description: str(status['Description']),
  };
}

/** Replies whose STATUS is an error ('E'/'F') are treated as absent; their messages are kept for the sample. */
export function usableReplies(replies: MinerReplies): { usable: MinerReplies; errors: string[] } {
  const usable: MinerReplies = {};
  const errors: string[] = [];
  for (const [command, reply] of Object.entries(replies)) {
    if (!reply) continue;
    const status = statusOf(reply);
    if (status.ok) usable[command] = reply;
    else errors.push(`${command}: ${status.msg ?? 'error'}`);
  }
  return { usable, errors };
}

/** Every string value of a reply's records, for family detection. */
export function descriptions(replies: MinerReplies): string[] {
  const out: string[] = [];
  for (const reply of Object.values(replies)) {
    const desc = statusOf(reply).description;
    if (desc) out.push(desc);
  }
  return out;
}
