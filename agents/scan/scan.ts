import { Socket } from 'node:net';
import { findAsicModel } from '../models/asic-models.js';
import { DEFAULT_PORT } from '../cgminer/client.js';
import { identify, type MinerFamily } from '../cgminer/family.js';
import { firstRow } from '../cgminer/replies.js';
import { readMiner } from '../cgminer/source.js';
import { averageHashrateThs, shortHashrateThs } from '../cgminer/units.js';
import { parseCidr } from './cidr.js';

export interface ScanOptions {
  port?: number;
  /** How many hosts are probed at once. Every host is probed; this only bounds open sockets. */
  concurrency?: number;
  connectTimeoutMs?: number;
  identifyTimeoutMs?: number;
  /** Called as soon as a miner is identified (the CLI prints it; the bench times the last one). */
  onIdentified?: (miner: IdentifiedMiner) => void;
}

export interface IdentifiedMiner {
  host: string;
  port: number;
  family: MinerFamily;
  model: string | null;
  firmware: string | null;
  hashrate_ths: number | null;
}

export interface UnknownHost {
  host: string;
  port: number;
  /** Why the open port was not recognised as a miner API (timeout, not JSON, no summary…). */
  reason: string;
}

export interface ScanReport {
  cidr: string;
  port: number;
  scanned: number;
  durationMs: number;
  identified: IdentifiedMiner[];
  /** Port open, but the answer was not a cgminer-family reply. */
  unknown: UnknownHost[];
  /** No TCP connection (refused, unreachable or timed out). */
  unresponsive: string[];
}

const DEFAULTS = { concurrency: 256, connectTimeoutMs: 1_000, identifyTimeoutMs: 5_000 };

/**
 * Sweeps a range in two stages: a TCP connect to the API port (fast, filters the empty addresses), then an
 * identify request (`summary+pools+stats+version+devs`) to hosts that accepted. A fixed pool of workers pulls
 * hosts from one queue, so concurrency is bounded and every host is visited exactly once.
 */
export async function scanSubnet(cidr: string, opts: ScanOptions = {}): Promise<ScanReport> {
  const range = parseCidr(cidr);
  const port = opts.port ?? DEFAULT_PORT;
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? DEFAULTS.concurrency));
  const connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs;
  const identifyTimeoutMs = opts.identifyTimeoutMs ?? DEFAULTS.identifyTimeoutMs;
  const started = Date.now();
  const identified: IdentifiedMiner[] = [];
  const unknown: UnknownHost[] = [];
  const unresponsive: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < range.hosts.length) {
      const host = range.hosts[next++] as string;
      if (!(await tcpOpen(host, port, connectTimeoutMs))) {
        unresponsive.push(host);
        continue;
      }
      try {
        const miner = await identifyMiner(host, port, connectTimeoutMs, identifyTimeoutMs);
        identified.push(miner);
        opts.onIdentified?.(miner);
      } catch (error) {
        unknown.push({ host, port, reason: (error as Error).message });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, range.hosts.length) }, worker));
  const order = (a: string, b: string): number => ipOrder(a) - ipOrder(b);
  return {
    cidr: cidr.trim(),
    port,
    scanned: range.hosts.length,
    durationMs: Date.now() - started,
    identified: identified.sort((a, b) => order(a.host, b.host)),
    unknown: unknown.sort((a, b) => order(a.host, b.host)),
    unresponsive: unresponsive.sort(order),
  };
}

async function identifyMiner(host: string, port: number, connectTimeoutMs: number, timeoutMs: number): Promise<IdentifiedMiner> {
  const { replies } = await readMiner(host, port, { connectTimeoutMs, timeoutMs, parallelFallback: false }, 'cgminer');
  const summary = firstRow(replies['summary'], 'SUMMARY');
  if (!summary && !replies['stats'] && !replies['version'] && !replies['devs']) {
    throw new Error('answered, but not with a cgminer API reply');
  }
  const identity = identify(replies);
  const model = findAsicModel(identity.model);
  return {
    host,
    port,
    family: identity.family,
    model: model?.name ?? identity.model,
    firmware: identity.firmware,
    hashrate_ths: summary ? (shortHashrateThs(summary) ?? averageHashrateThs(summary)) : null,
  };
}

/** Stage 1: does anything accept a TCP connection on host:port within the timeout? */
export function tcpOpen(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (open: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(open);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.connect({ host, port });
  });
}

function ipOrder(ip: string): number {
  return ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}
