import { toId } from '../../server/contract/index.js';
import type { ScanReport } from './scan.js';

export interface CgminerSourceConfig {
  type: 'cgminer';
  host: string;
  port: number;
  rig: string;
}

export interface ScannedAgentConfig {
  site: string;
  sources: CgminerSourceConfig[];
}

/**
 * The agent config a scan suggests: one cgminer source per identified miner. Rig ids come from the address
 * (`10.0.0.5` → `10-0-0-5`, plus `-PORT` off the default port) so they are stable, valid ids, and unique.
 */
export function scanToAgentConfig(report: ScanReport, site: string): ScannedAgentConfig {
  const siteId = toId(site);
  const used = new Set<string>();
  const sources = report.identified.map((miner) => {
    const base = toId(miner.port === 4028 ? miner.host : `${miner.host}-${miner.port}`);
    let rig = base;
    for (let n = 2; used.has(rig); n++) rig = `${base}-${n}`;
    used.add(rig);
    return { type: 'cgminer' as const, host: miner.host, port: miner.port, rig };
  });
  return { site: siteId, sources };
}
