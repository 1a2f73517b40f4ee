import { Socket } from 'node:net';
import { parseMinerJson } from './repair.js';
import { splitMultiReply, type MinerReplies } from './replies.js';

export interface CallOptions {
  /** Limit for the TCP connect (ms). */
  connectTimeoutMs?: number;
  /** Limit for the whole call: connect, send, read to the end (ms). */
  timeoutMs?: number;
  /** Replies larger than this are cut off with an error (a misbehaving peer cannot exhaust memory). */
  maxBytes?: number;
  /**
   * Without multi-command support, ask the single commands in parallel (default) or one after another. A scan of
   * hundreds of hosts at once asks one at a time, so open sockets stay bounded by its concurrency.
   */
  parallelFallback?: boolean;
}

export const DEFAULT_PORT = 4028;
const DEFAULTS = { connectTimeoutMs: 3_000, timeoutMs: 10_000, maxBytes: 4 * 1024 * 1024 };

/**
 * One request on one connection, the cgminer API way (API-README: the miner answers one request per connection,
 * then closes; JSON replies end with a NUL byte). Reads until the peer closes or a NUL arrives, so firmware that
 * keeps the socket open after its NUL, or closes without one, both work. Every phase is bounded by a timer, so
 * the promise always settles: a dead or silent miner gives an Error within `timeoutMs`.
 */
export function cgminerRequest(host: string, port: number, payload: string, options: CallOptions = {}): Promise<Buffer> {
  // `??` rather than spreading: an explicit `undefined` in options must still get the default.
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs;
  const maxBytes = options.maxBytes ?? DEFAULTS.maxBytes;
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const where = `${host}:${port}`;
    const finish = (error: Error | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(callTimer);
      socket.destroy();
      if (error) reject(error);
      else resolve(Buffer.concat(chunks));
    };
    const connectTimer = setTimeout(
      () => finish(new Error(`${where}: no TCP connection within ${connectTimeoutMs} ms`)),
      Math.min(connectTimeoutMs, timeoutMs),
    );
    const callTimer = setTimeout(
      () => finish(new Error(`${where}: no complete reply within ${timeoutMs} ms (${size} bytes received)`)),
      timeoutMs,
    );
    socket.once('connect', () => {
      clearTimeout(connectTimer);
      socket.write(payload);
    });
    socket.on('data', (chunk: Buffer) => {
      const nul = chunk.indexOf(0);
      chunks.push(nul >= 0 ? chunk.subarray(0, nul) : chunk);
      size += chunk.length;
      if (nul >= 0) finish(null);
      else if (size > maxBytes) finish(new Error(`${where}: reply larger than ${maxBytes} bytes`));
      else if (endsWithBrace(chunk) && isCompleteJson(chunks)) finish(null);
    });
    socket.once('end', () => {
      if (size === 0) finish(new Error(`${where}: connection closed without a reply`));
      else finish(null);
    });
    socket.once('close', () => finish(size === 0 ? new Error(`${where}: connection closed without a reply`) : null));
    socket.once('error', (error: NodeJS.ErrnoException) => finish(new Error(`${where}: ${error.code ?? error.message}`)));
    socket.connect({ host, port });
  });
}

/**
 * Some firmware neither sends the NUL nor closes after a reply. A reply is complete once the text received so far
 * is one whole JSON document; checked only when a chunk ends in `}` so large replies are not re-parsed per chunk.
 */
function endsWithBrace(chunk: Buffer): boolean {
  for (let i = chunk.length - 1; i >= 0; i--) {
    const byte = chunk[i] as number;
    if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09) continue;
    return byte === 0x7d;
  }
  return false;
}

function isCompleteJson(chunks: Buffer[]): boolean {
  try {
    JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

/**
 * A reply arrived but is not JSON even after repair. Told apart from transport failures (refused, timed out):
 * a miner that answers garbage to one command may answer the others, so only that section is lost.
 */
export class ReplyParseError extends Error {}

/** Sends `{"command":"a+b+c"}` and parses (with repair) the reply. */
export async function cgminerCommand(
  host: string,
  port: number,
  command: string,
  options: CallOptions = {},
): Promise<unknown> {
  return minerRequestJson(host, port, { command }, options);
}

/**
 * Sends any JSON request (`{"command":…}` for the cgminer API, `{"cmd":…}` for Whatsminer's API v2/v3 commands)
 * and parses the reply; a reply that does not parse throws a ReplyParseError naming the request.
 */
export async function minerRequestJson(
  host: string,
  port: number,
  request: Record<string, unknown>,
  options: CallOptions = {},
): Promise<unknown> {
  const raw = await cgminerRequest(host, port, JSON.stringify(request), options);
  try {
    return parseMinerJson(raw);
  } catch (error) {
    const name = String(request['command'] ?? request['cmd'] ?? '?');
    throw new ReplyParseError(`${host}:${port} '${name}': ${(error as Error).message}`, { cause: error });
  }
}

/**
 * A section that could not be read, in the cgminer error-reply shape so it flows through `usableReplies` into the
 * sample's `errors` like any error the miner itself reports, while the other sections still make the sample.
 */
export function unreadableSection(message: string): Record<string, unknown> {
  return { STATUS: [{ STATUS: 'E', Msg: `unreadable reply: ${message}` }] };
}

/**
 * Fetches several commands, each section on its own (isolation: one bad section never sinks the others).
 * Tries one multi-command request first (`summary+pools+stats`). Then every command the multi reply did not
 * yield — all of them when the firmware does not do multi-command (it answers a single error record) or when the
 * combined reply is not JSON even after repair (one section with a stray `"}` breaks the whole document) — is
 * asked on its own connection (in parallel unless `parallelFallback` is false), all under the same deadline.
 * A single reply that does not parse becomes an `unreadableSection`; a command whose connection fails is absent.
 * Throws when no command yields a parsed reply: the miner is unreachable or does not speak the API.
 */
export async function fetchReplies(
  host: string,
  port: number,
  commands: readonly string[],
  options: CallOptions = {},
): Promise<MinerReplies> {
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULTS.timeoutMs);
  const left = (): CallOptions => ({ ...options, timeoutMs: Math.max(1, deadline - Date.now()) });
  let multi: unknown = null;
  let multiError: Error | null = null;
  try {
    multi = await cgminerCommand(host, port, commands.join('+'), left());
  } catch (error) {
    // A dead or silent miner: asking each command again would only multiply the wait.
    if (!(error instanceof ReplyParseError)) throw error;
    multiError = error;
  }
  const out: MinerReplies = {};
  if (commands.length === 1 && isObject(multi)) return { [commands[0] as string]: multi };
  if (multiError && commands.length === 1) return { [commands[0] as string]: unreadableSection(multiError.message) };
  const split = multi === null ? null : splitMultiReply(multi, commands);
  if (split) Object.assign(out, split);
  const missing = commands.filter((c) => out[c] === undefined);
  if (missing.length === 0) return out;
  const ask = (c: string): Promise<PromiseSettledResult<unknown>> =>
    cgminerCommand(host, port, c, left()).then(
      (value): PromiseSettledResult<unknown> => ({ status: 'fulfilled', value }),
      (reason: unknown): PromiseSettledResult<unknown> => ({ status: 'rejected', reason }),
    );
  const settled: PromiseSettledResult<unknown>[] = [];
  if (options.parallelFallback === false) for (const c of missing) settled.push(await ask(c));
  else settled.push(...(await Promise.all(missing.map(ask))));
  let parsed = Object.keys(out).length;
  settled.forEach((result, i) => {
    const command = missing[i] as string;
    if (result.status === 'fulfilled' && isObject(result.value)) {
      out[command] = result.value;
      parsed++;
    } else if (result.status === 'rejected' && result.reason instanceof ReplyParseError) {
      out[command] = unreadableSection(result.reason.message);
    }
  });
  if (parsed === 0) {
    const first = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    throw first ? (first.reason as Error) : (multiError ?? new Error(`${host}:${port}: no usable reply to ${commands.join(', ')}`));
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
