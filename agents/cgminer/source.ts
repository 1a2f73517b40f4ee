import type { AsicSample } from '../../server/contract/index.js';
import type { PollResult, PollSource } from '../source.js';
import { DEFAULT_PORT, fetchReplies, type CallOptions } from './client.js';
import { identify, type MinerFamily } from './family.js';
import type { MinerReplies } from './replies.js';
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
  const family = knownFamily ?? identify(replies).family;
  const extra = FAMILY_EXTRA_COMMANDS[family];
  const left = deadline - Date.now();
  if (extra.length > 0 && left > 0) {
    try {
      Object.assign(replies, await fetchReplies(host, port, extra, { ...options, timeoutMs: left }));
    } catch {
      // Extras are optional: the sample is still complete without them (fans/temps come from stats).
    }
  }
  return { replies, family };
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
