import { toId } from '../../server/contract/index.js';
import { createNvidiaSmiSource } from '../nvidia-smi/source.js';
import type { PollSource } from '../source.js';
import type { AgentConfig } from './config.js';
import { loadCgminer } from './optional.js';

/** Builds the poll sources a config lists. Throws NotInThisBuild when it names cgminer and that half is missing. */
export async function buildSources(config: AgentConfig): Promise<PollSource[]> {
  const intervalS = config.interval_s;
  const sources: PollSource[] = [];
  for (const source of config.sources) {
    if (source.type === 'nvidia-smi') {
      sources.push(
        createNvidiaSmiSource({
          site: config.site,
          rig: source.rig,
          path: source.path,
          format: source.format,
          timeoutMs: config.timeout_ms,
          intervalS,
          dcgmUrl: source.dcgm_url ?? null,
          hostModelFile: source.host_model_file === '' ? null : source.host_model_file,
        }),
      );
    } else {
      const cgminer = await loadCgminer();
      sources.push(
        cgminer.createCgminerSource({
          site: config.site,
          rig: source.rig ?? toId(source.host),
          host: source.host,
          port: source.port,
          timeoutMs: config.timeout_ms,
          intervalS,
        }),
      );
    }
  }
  return sources;
}
