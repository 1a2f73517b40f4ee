import type { ActionName, ActionRequest, ActionResultCode } from '../../server/contract/index.js';
import { cgminerRequest, type CallOptions } from './client.js';
import { parseMinerJson } from './repair.js';
import { isRecord, str, type Record_ } from './units.js';

/**
 * What a family's action driver needs: one request per connection to the miner's API (cgminer API-README: the
 * miner answers one request and closes), in the JSON form `{"command":C,"parameter":P}`, or raw bytes for APIs
 * that wrap their own envelope (Whatsminer's encrypted privileged commands).
 */
export interface ActionIo {
  readonly host: string;
  readonly port: number;
  command(command: string, parameter?: string): Promise<Record_>;
  raw(payload: string): Promise<unknown>;
}

/** Secrets for a miner, from the agent's config only (never over MQTT, never logged). */
export interface MinerSecrets {
  /** Whatsminer API admin password, VNish web password. */
  password?: string;
}

export interface ActionOutcome {
  ok: boolean;
  code: ActionResultCode;
  message: string;
  /** The miner's last answer, parsed. */
  answer: unknown;
}

/** One family's actions: the ones it supports (checked before anything is sent) and how to run them. */
export interface FamilyActions {
  readonly supports: readonly ActionName[];
  run(request: ActionRequest, io: ActionIo, secrets: MinerSecrets): Promise<ActionOutcome>;
}

export function minerIo(host: string, port: number, options: CallOptions = {}): ActionIo {
  const raw = async (payload: string): Promise<unknown> => parseMinerJson(await cgminerRequest(host, port, payload, options));
  return {
    host,
    port,
    raw,
    async command(command, parameter) {
      const payload = parameter === undefined ? { command } : { command, parameter };
      const reply = await raw(JSON.stringify(payload));
      if (!isRecord(reply)) throw new Error(`${host}:${port} '${command}': reply is not a JSON object`);
      return reply;
    },
  };
}

/**
 * The STATUS of an answer: cgminer nests it (`STATUS: [{ STATUS: 'S'|'I'|'W'|'E'|'F', Code, Msg }]`), btminer
 * (Whatsminer) puts it at the top (`{ STATUS: 'S', Code, Msg }`). 'S', 'I' and 'W' are success (API-README).
 */
export function answerStatus(reply: unknown): { ok: boolean; code: number | null; msg: string } {
  if (!isRecord(reply)) return { ok: false, code: null, msg: 'no JSON answer' };
  const status = reply['STATUS'];
  const record: Record_ | undefined = Array.isArray(status) ? (status.find(isRecord) as Record_ | undefined) : isRecord(status) ? status : reply;
  if (!record) return { ok: false, code: null, msg: 'answer has no STATUS' };
  const letter = str(record['STATUS']);
  const code = typeof record['Code'] === 'number' ? record['Code'] : null;
  const msg = typeof record['Msg'] === 'string' ? record['Msg'] : JSON.stringify(record['Msg'] ?? '');
  return { ok: letter === 'S' || letter === 'I' || letter === 'W', code, msg };
}

/** An outcome from the miner's answer: ok when its STATUS says success. */
export function outcomeOf(reply: unknown, what: string): ActionOutcome {
  const status = answerStatus(reply);
  return status.ok
    ? { ok: true, code: 'ok', message: `${what}: ${status.msg}`, answer: reply }
    : { ok: false, code: 'miner_error', message: `${what} refused by the miner: ${status.msg}${status.code === null ? '' : ` (code ${status.code})`}`, answer: reply };
}

/** Runs steps in order and stops at the first one the miner refuses; the outcome is that refusal or the last step. */
export async function steps(io: ActionIo, list: readonly [command: string, parameter: string | undefined, what: string][]): Promise<ActionOutcome> {
  let last: ActionOutcome = { ok: true, code: 'ok', message: 'nothing to do', answer: null };
  for (const [command, parameter, what] of list) {
    last = outcomeOf(await io.command(command, parameter), what);
    if (!last.ok) return last;
  }
  return last;
}

/** cgminer API-README: in a parameter, ',' separates values, so a literal ',' or '\' is escaped with '\'. */
export function escapeParam(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/,/g, '\\,');
}

export const unsupported = (family: string, action: ActionName): ActionOutcome => ({
  ok: false,
  code: 'unsupported_action',
  message: `${action} is not supported on ${family} miners`,
  answer: null,
});
