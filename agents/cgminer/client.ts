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

/** Sends `{"command":"a+b+c"}` and parses (with repair) the reply. */
export async function cgminerCommand(
  host: string,
  port: number,
  command: string,
  options: CallOptions = {},
): Promise<unknown> {
  const raw = await cgminerRequest(host, port, JSON.stringify({ command }), options);
  try {
    return parseMinerJson(raw);
  } catch (error) {
    throw new Error(`${host}:${port} '${command}': ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Fetches several commands. Tries one multi-command request first (`summary+pools+stats`); firmware that does not
 * do multi-command answers a single error record instead, and then each command is asked on its own connection
 * (in parallel unless `parallelFallback` is false), all under the same deadline. Missing commands are simply
 * absent from the result.
 */
export async function fetchReplies(
  host: string,
  port: number,
  commands: readonly string[],
  options: CallOptions = {},
): Promise<MinerReplies> {
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULTS.timeoutMs);
  const left = (): CallOptions => ({ ...options, timeoutMs: Math.max(1, deadline - Date.now()) });
  const multi = await cgminerCommand(host, port, commands.join('+'), left());
  const split = commands.length > 1 ? splitMultiReply(multi, commands) : null;
  if (split) return split;
  if (commands.length === 1 && typeof multi === 'object' && multi !== null) {
    return { [commands[0] as string]: multi as Record<string, unknown> };
  }
  const settled: PromiseSettledResult<unknown>[] = [];
  if (options.parallelFallback === false) {
    for (const c of commands) {
      settled.push(
        await cgminerCommand(host, port, c, left()).then(
          (value): PromiseSettledResult<unknown> => ({ status: 'fulfilled', value }),
          (reason: unknown): PromiseSettledResult<unknown> => ({ status: 'rejected', reason }),
        ),
      );
    }
  } else {
    settled.push(...(await Promise.allSettled(commands.map((c) => cgminerCommand(host, port, c, left())))));
  }
  const out: MinerReplies = {};
  settled.forEach((result, i) => {
    if (result.status === 'fulfilled' && typeof result.value === 'object' && result.value !== null) {
      out[commands[i] as string] = result.value as Record<string, unknown>;
    }
  });
  if (Object.keys(out).length === 0) {
    const first = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    throw first ? (first.reason as Error) : new Error(`${host}:${port}: no usable reply to ${commands.join(', ')}`);
  }
  return out;
}
