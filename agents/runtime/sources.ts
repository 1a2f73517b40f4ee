import { toId } from '../../server/contract/index.js';
import { createCgminerSource } from '../cgminer/index.js';
import { createNvidiaSmiSource } from '../nvidia-smi/source.js';
import type { PollSource } from '../source.js';
import type { AgentConfig } from './config.js';

/** Builds the poll sources a config lists. */
export function buildSources(config: AgentConfig): PollSource[] {
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
      sources.push(
        createCgminerSource({
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
