import type { InferenceBlock } from '../../server/contract/index.js';

/** The model the simulated GPU nodes serve; the tokens/s per GPU in fleet.ts are production figures for this size. */
export const SIM_MODEL = 'meta-llama/Llama-3.1-70B-Instruct';

/**
 * Inference demand over the day, 0..1 of a node's capacity: lowest near 04:00, highest near 16:00 (site clock =
 * UTC here), as chat and API traffic follow the working day.
 */
export function demandAt(tsMs: number): number {
  const hour = (tsMs / 3_600_000) % 24;
  return 0.55 + 0.35 * Math.sin((2 * Math.PI * (hour - 10)) / 24);
}

/**
 * The inference block of a simulated vLLM node serving `generationTps` generated tokens/s at `load` (0..1 of its
 * capacity). Prompts run about twice the generated length; a response is about 250 tokens. Queueing and latency grow
 * as the node nears saturation: time to first token from ~80 ms idle to seconds when requests wait, time per output
 * token from ~12 ms to ~35 ms as batches fill.
 */
export function inferenceBlock(generationTps: number, load: number, noise: (key: string) => number): InferenceBlock {
  const busy = Math.min(1, Math.max(0, load));
  const waiting = busy > 0.9 ? Math.round((busy - 0.9) * 400 * (0.5 + noise('w'))) : 0;
  const ttft = 80 + 220 * busy ** 3 + waiting * 12;
  return {
    server: 'vllm',
    model: SIM_MODEL,
    prompt_tokens_per_s: Math.round(generationTps * (1.8 + 0.4 * noise('p'))),
    generation_tokens_per_s: Math.round(generationTps),
    requests_per_s: Math.round((generationTps / 250) * 100) / 100,
    requests_running: Math.round(256 * busy),
    requests_waiting: waiting,
    ttft_p50_ms: Math.round(ttft),
    ttft_p99_ms: Math.round(ttft * (3.5 + noise('t'))),
    tpot_p50_ms: Math.round((12 + 23 * busy ** 2) * 10) / 10,
    kv_cache_usage_pct: Math.round(Math.min(100, busy * 92 + 4 * noise('k')) * 10) / 10,
  };
}
