import type { AsicSample } from '../../server/contract/index.js';
import type { PollResult, PollSource } from '../source.js';
import { DEFAULT_PORT, fetchReplies, minerRequestJson, type CallOptions } from './client.js';
import { WHATSMINER_API_V2, WHATSMINER_API_V3 } from './drivers.js';
import { identify, type MinerFamily } from './family.js';
import { usableReplies, type MinerReplies } from './replies.js';
import { isRecord } from './units.js';
import { buildAsicSample, FAMILY_EXTRA_COMMANDS } from './sample.js';

/** Commands every poll asks for in one multi-command request. */
export const BASE_COMMANDS = ['summary', 'pools', 'stats', 'version', 'devs'] as const;

export interface CgminerSourceOptions {
  site: string;
  rig: string;
  host: string;
  port?: number;
  /** Limit for one whole poll (all requests), ms. Default 10 s, and never more than the polling interval. */
  timeoutMs?: number;
  connectTimeoutMs?: number;
  intervalS: number;
}

/**
 * Reads everything a sample needs from one miner: the base commands, then the family's extra commands (LuxOS
 * `fans+temps+power+config`, Braiins `fans+temps+tunerstatus+devdetails`…) under the same deadline. Extra
 * commands failing never loses the base data.
 */
export async function readMiner(
  host: string,
  port: number,
  options: CallOptions,
  knownFamily?: MinerFamily,
): Promise<{ replies: MinerReplies; family: MinerFamily }> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  const replies = await fetchReplies(host, port, BASE_COMMANDS, options);
  const left = (): CallOptions => ({ ...options, timeoutMs: Math.max(1, deadline - Date.now()) });
  if (Object.keys(usableReplies(replies).usable).length === 0) {
    // No cgminer command answered: a sleeping Whatsminer still answers its own API (v2, then v3).
    Object.assign(replies, await whatsminerApi(host, port, WHATSMINER_API_V2, left()));
    if (!replies['status'] && !replies['get_version']) Object.assign(replies, await whatsminerApi(host, port, WHATSMINER_API_V3, left()));
  }
  const family = knownFamily ?? identify(usableReplies(replies).usable).family;
  const extra = FAMILY_EXTRA_COMMANDS[family];
  if (extra.length > 0 && deadline - Date.now() > 0) {
    try {
      Object.assign(replies, await fetchReplies(host, port, extra, left()));
    } catch {
      // Extras are optional: the sample is still complete without them (fans/temps come from stats).
    }
  }
  return { replies, family };
}

/** Asks each Whatsminer API request on its own connection; replies that fail or report an error are left out. */
async function whatsminerApi(
  host: string,
  port: number,
  requests: readonly { key: string; request: Record<string, unknown> }[],
  options: CallOptions,
): Promise<MinerReplies> {
  const settled = await Promise.allSettled(requests.map((r) => minerRequestJson(host, port, r.request, options)));
  const out: MinerReplies = {};
  settled.forEach((result, i) => {
    const value = result.status === 'fulfilled' ? result.value : null;
    if (!isRecord(value)) return;
    const failed = value['STATUS'] === 'E' || (typeof value['code'] === 'number' && value['code'] !== 0) || !usableReplies({ x: value }).usable['x'];
    if (!failed) out[(requests[i] as { key: string }).key] = value;
  });
  return out;
}

/**
 * A `PollSource` for one cgminer-API miner. `poll()` never throws and never outlasts its timeout: an unreachable
 * or unparseable miner gives `{ ok: false, error }`. Sources poll independently, so one dead miner never delays
 * another.
 */
export function createCgminerSource(opts: CgminerSourceOptions): PollSource {
  const port = opts.port ?? DEFAULT_PORT;
  const timeoutMs = Math.min(opts.timeoutMs ?? 10_000, opts.intervalS * 1000);
  let family: MinerFamily | undefined;
  let seq = 0;
  return {
    rig: opts.rig,
    description: `cgminer API at ${opts.host}:${port}`,
    async poll(): Promise<PollResult> {
      try {
        const read = await readMiner(opts.host, port, { timeoutMs, connectTimeoutMs: opts.connectTimeoutMs }, family);
        const sample = buildAsicSample(read.replies, {
          site: opts.site,
          rig: opts.rig,
          ts: Date.now(),
          intervalS: opts.intervalS,
          seq: seq++,
        });
        family = read.family;
        return { ok: true, samples: [sample] };
      } catch (error) {
        // A miner that stops answering may come back with other firmware: detect the family again next time.
        family = undefined;
        return { ok: false, error: (error as Error).message };
      }
    },
  };
}

export interface ProbeOptions {
  timeoutMs?: number;
  connectTimeoutMs?: number;
  site?: string;
  rig?: string;
  intervalS?: number;
}

/**
 * Reads one miner once and returns its sample (what `rigline-agent probe HOST[:PORT]` prints). Throws an Error
 * that says what went wrong: no connection, no reply in time, or a reply that is not a cgminer API answer.
 */
export async function probeCgminer(host: string, port: number = DEFAULT_PORT, opts: ProbeOptions = {}): Promise<AsicSample> {
  const { replies } = await readMiner(host, port, {
    timeoutMs: opts.timeoutMs ?? 10_000,
    connectTimeoutMs: opts.connectTimeoutMs,
  });
  try {
    return buildAsicSample(replies, {
      site: opts.site ?? 'probe',
      rig: opts.rig ?? 'probe',
      ts: Date.now(),
      intervalS: opts.intervalS ?? 30,
    });
  } catch (error) {
    throw new Error(`${host}:${port}: not a usable cgminer API reply: ${(error as Error).message}`, { cause: error });
  }
}
