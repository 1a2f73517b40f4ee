import type { AsicSample } from '../../server/contract/index.js';
import type { PollSource } from '../source.js';

/**
 * The ASIC half of the agent (agents/cgminer, agents/scan) is built on its own branch. It is loaded by path at run
 * time so this build works with or without it; a build without it answers with NotInThisBuild.
 */
export class NotInThisBuild extends Error {
  constructor(what: string) {
    super(`${what} is not available in this build of rigline-agent (agents/${what.split(' ')[0]} is missing)`);
  }
}

export interface CgminerModule {
  createCgminerSource(options: { site: string; rig: string; host: string; port?: number; timeoutMs?: number; intervalS: number }): PollSource;
  probeCgminer(host: string, port?: number, opts?: { timeoutMs?: number }): Promise<AsicSample>;
}

export interface ScanModule {
  scanSubnet(cidr: string, opts: { port?: number; timeoutMs?: number; concurrency?: number }): Promise<unknown>;
  scanToAgentConfig(report: unknown, site: string): unknown;
}

async function load<T>(relative: string, what: string): Promise<T> {
  const url = new URL(relative, import.meta.url).href;
  try {
    return (await import(url)) as T;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes(relative.replace('../', '').replace('.js', ''))) {
      throw new NotInThisBuild(what);
    }
    throw err;
  }
}

export const loadCgminer = (): Promise<CgminerModule> => load<CgminerModule>('../cgminer/index.js', 'cgminer support');
export const loadScan = (): Promise<ScanModule> => load<ScanModule>('../scan/index.js', 'scan (subnet scanner)');
