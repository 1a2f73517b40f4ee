import type { InferenceBlock } from '../../../server/contract/index.js';
import { fmtNum, h } from '../format.js';
import { tile } from './widgets.js';

const SERVER_NAMES: Record<InferenceBlock['server'], string> = {
  vllm: 'vLLM',
  sglang: 'SGLang',
  tgi: 'Text Generation Inference',
  triton: 'Triton',
  nim: 'NVIDIA NIM',
  llamacpp: 'llama.cpp',
};

const ms = (value: number | null): string => (value === null ? '—' : `${fmtNum(value, value < 100 ? 1 : 0)} <small>ms</small>`);

/**
 * The GPU node's inference server as the agent last read it: work done (tokens and requests per second), queue,
 * latency percentiles of the last poll window and KV-cache use. A figure the server does not report shows '—'.
 */
export function inferencePanel(block: InferenceBlock | null | undefined): string {
  if (!block) return '';
  const tiles = [
    tile('Generated tokens / s', fmtNum(block.generation_tokens_per_s, 0), { id: 'inf-gen', raw: block.generation_tokens_per_s }),
    tile('Prompt tokens / s', fmtNum(block.prompt_tokens_per_s, 0), { id: 'inf-prompt', raw: block.prompt_tokens_per_s }),
    tile('Requests / s', fmtNum(block.requests_per_s, 2), { id: 'inf-rps', raw: block.requests_per_s }),
    tile('Running · waiting', `${fmtNum(block.requests_running, 0)} · ${fmtNum(block.requests_waiting, 0)}`, { id: 'inf-queue', raw: block.requests_waiting }),
    tile('Time to first token', ms(block.ttft_p50_ms), { id: 'inf-ttft', raw: block.ttft_p50_ms, sub: `p99 ${block.ttft_p99_ms === null ? '—' : `${fmtNum(block.ttft_p99_ms, 0)} ms`}` }),
    tile('Time per output token', ms(block.tpot_p50_ms), { id: 'inf-tpot', raw: block.tpot_p50_ms, sub: 'p50' }),
    tile('KV cache', block.kv_cache_usage_pct === null ? '—' : `${fmtNum(block.kv_cache_usage_pct, 1)} <small>%</small>`, { id: 'inf-kv', raw: block.kv_cache_usage_pct }),
  ];
  return `<div class="panel" id="inference"><h2>Inference <span class="muted">${SERVER_NAMES[block.server]}${block.model ? ` · ${h(block.model)}` : ''}</span></h2>
    <div class="tiles">${tiles.join('')}</div></div>`;
}
