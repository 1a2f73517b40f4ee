import { createCgminerSource } from '../cgminer/index.js';
import { createDcgmSource } from '../dcgm/source.js';
import { createNvidiaSmiSource } from '../nvidia-smi/source.js';
import type { PollSource } from '../source.js';
import { sourceRig, type AgentConfig } from './config.js';

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
    } else if (source.type === 'dcgm') {
      sources.push(createDcgmSource({ site: config.site, rig: source.rig, url: source.url, timeoutMs: config.timeout_ms, intervalS }));
    } else {
      sources.push(
        createCgminerSource({
          site: config.site,
          rig: sourceRig(source),
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
