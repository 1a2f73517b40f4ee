import { createCgminerSource } from '../cgminer/index.js';
import { createDcgmSource } from '../dcgm/source.js';
import { createNvidiaSmiSource } from '../nvidia-smi/source.js';
import { createInferenceSource, InferenceScraper, withInference } from '../inference/source.js';
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
    } else if (source.type === 'inference') {
      continue; // joined below
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
  return joinInference(config, sources);
}

/** An inference server rides on its rig's GPU source when there is one, else publishes a GPU sample of its own. */
function joinInference(config: AgentConfig, sources: PollSource[]): PollSource[] {
  const out = [...sources];
  for (const source of config.sources) {
    if (source.type !== 'inference') continue;
    const options = { site: config.site, rig: source.rig, url: source.url, server: source.server, timeoutMs: config.timeout_ms, intervalS: config.interval_s };
    const gpu = out.findIndex((s) => s.rig === source.rig);
    if (gpu >= 0) out[gpu] = withInference(out[gpu] as PollSource, new InferenceScraper(options));
    else out.push(createInferenceSource(options));
  }
  return out;
}
