import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';

/**
 * A real TCP server that speaks the cgminer API from recorded replies: one request per connection, reply bytes
 * replayed exactly as recorded (BFGMiner's .raw files keep their trailing NUL), then the connection is closed.
 *
 * - `replies` maps a command (`summary`, or a full multi-command such as `summary+devs+stats+version`) to bytes.
 * - A multi-command request with no recording of its own is answered the way cgminer builds one (API-README:
 *   each section wrapped in a one-element array, `"id":1` at the end), from the single-command recordings —
 *   unless `multi: false`, which answers like firmware without multi-command support ("Invalid command").
 * - An unknown command gets cgminer's error reply (STATUS E, code 14 "Invalid command").
 * - `behaviour`: 'ok'; 'slow' (answers after `delayMs`); 'dead' (accepts, reads, never answers);
 *   'garbage' (answers bytes that are not JSON); 'keep-open' (answers, then leaves the connection open).
 */
export interface FakeMinerOptions {
  /** Loopback address to bind (any 127.x.y.z on Linux). Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  replies: Record<string, Buffer | string>;
  multi?: boolean;
  behaviour?: 'ok' | 'slow' | 'dead' | 'garbage' | 'keep-open';
  delayMs?: number;
  /** Append a NUL to replies that do not end with one (most firmware does; .raw recordings already have it). */
  terminateWithNul?: boolean;
  /**
   * Answers a request before the recordings are looked at (undefined: fall through). Replies may also be keyed
   * `command|parameter` (`ascset|0,softoff,…`), which is matched before the bare command.
   */
  respond?: (payload: string) => Buffer | string | undefined;
}

export interface FakeMiner {
  host: string;
  port: number;
  /** Every request payload received, in order. */
  requests: string[];
  /** When each request arrived (Date.now()), in the same order. */
  requestTimes: number[];
  setBehaviour(behaviour: NonNullable<FakeMinerOptions['behaviour']>, delayMs?: number): void;
  close(): Promise<void>;
}

const INVALID = (command: string): string =>
  JSON.stringify({
    STATUS: [{ STATUS: 'E', When: 0, Code: 14, Msg: 'Invalid command', Description: `fake-miner (${command})` }],
    id: 1,
  });

export async function startFakeMiner(options: FakeMinerOptions): Promise<FakeMiner> {
  const host = options.host ?? '127.0.0.1';
  let behaviour = options.behaviour ?? 'ok';
  let delayMs = options.delayMs ?? 0;
  const requests: string[] = [];
  const requestTimes: number[] = [];
  const sockets = new Set<Socket>();
  const replies = new Map(
    Object.entries(options.replies).map(([k, v]) => [k, typeof v === 'string' ? Buffer.from(v) : v] as const),
  );

  const answer = (payload: string): Buffer => {
    const custom = options.respond?.(payload);
    if (custom !== undefined) {
      const bytes = typeof custom === 'string' ? Buffer.from(custom) : custom;
      return options.terminateWithNul !== false ? Buffer.concat([bytes, Buffer.from([0])]) : bytes;
    }
    let command = payload.trim();
    let parameter: string | null = null;
    try {
      const parsed = JSON.parse(payload) as { command?: unknown; parameter?: unknown };
      if (typeof parsed.command === 'string') command = parsed.command;
      if (parsed.parameter !== undefined) parameter = String(parsed.parameter);
    } catch {
      // Plain-text API form: the payload is the command itself.
    }
    const recorded = (parameter !== null ? replies.get(`${command}|${parameter}`) : undefined) ?? replies.get(command);
    let body: Buffer;
    if (recorded) body = recorded;
    else if (command.includes('+') && options.multi !== false) body = Buffer.from(buildMulti(command, replies));
    else body = Buffer.from(INVALID(command));
    const ends = body.length > 0 && body[body.length - 1] === 0;
    return options.terminateWithNul !== false && !ends ? Buffer.concat([body, Buffer.from([0])]) : body;
  };

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffer = '';
    let answered = false;
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      if (answered || !requestComplete(buffer)) return;
      answered = true;
      requests.push(buffer);
      requestTimes.push(Date.now());
      if (behaviour === 'dead') return;
      const reply = behaviour === 'garbage' ? Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n') : answer(buffer);
      const send = (): void => {
        if (socket.destroyed) return;
        if (behaviour === 'keep-open') socket.write(reply);
        else socket.end(reply);
      };
      if (behaviour === 'slow') setTimeout(send, delayMs).unref();
      else send();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('fake miner has no TCP address');
  return {
    host,
    port: address.port,
    requests,
    requestTimes,
    setBehaviour(next, nextDelay) {
      behaviour = next;
      if (nextDelay !== undefined) delayMs = nextDelay;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A JSON request is complete when it parses; a plain-text one when the client has sent a word. */
function requestComplete(buffer: string): boolean {
  const text = buffer.trim();
  if (!text.startsWith('{')) return text.length > 0;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function stripNul(text: string): string {
  const nul = text.indexOf(String.fromCharCode(0));
  return nul >= 0 ? text.slice(0, nul) : text;
}

function buildMulti(command: string, replies: Map<string, Buffer>): string {
  const sections = command.split('+').map((name) => {
    const recorded = replies.get(name);
    const text = recorded ? stripNul(recorded.toString('utf8')) : INVALID(name);
    return `${JSON.stringify(name)}:[${text}]`;
  });
  return `{${sections.join(',')},"id":1}`;
}

/** Loads recordings from test/fixtures/asic: `{ summary: 'asicrs__…__summary.json', … }` → command → bytes. */
export function loadRecordings(files: Record<string, string>): Record<string, Buffer> {
  const dir = join(import.meta.dirname, '..', 'fixtures', 'asic');
  return Object.fromEntries(Object.entries(files).map(([command, file]) => [command, readFileSync(join(dir, file))]));
}

/**
 * Fake miners started by one test file and closed after each test: `start` them in a test, call `closeAll` in
 * `afterEach`.
 */
export function fakeMinerPool(): { start: typeof startFakeMiner; closeAll: () => Promise<void> } {
  const miners: FakeMiner[] = [];
  return {
    start: async (options) => {
      const miner = await startFakeMiner(options);
      miners.push(miner);
      return miner;
    },
    closeAll: async () => {
      await Promise.all(miners.splice(0).map((m) => m.close()));
    },
  };
}
