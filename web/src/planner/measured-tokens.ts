import type { Baseline } from '../../../server/planner/contract.js';
import { escapeHtml } from '../format.js';

/**
 * Says where the `tokens` model's throughput comes from: measured on the fleet's inference nodes (tokens/s per busy
 * GPU, utilization, tokens per joule) or the configured benchmark × realism.
 */
export function measuredTokensNote(b: Baseline): string {
  const nodes = b.sites.flatMap((s) => (s.inference ? [s.inference] : []));
  if (b.ai_provenance?.tokens_per_s_per_gpu !== 'measured' || nodes.length === 0) {
    return '<p class="pl-note" data-testid="tokens-provenance">Tokens per s per GPU: <span class="prov config">config</span> benchmark × realism (no GPU node reports tokens).</p>';
  }
  const gpus = nodes.reduce((sum, n) => sum + n.gpus, 0);
  const tokens = nodes.reduce((sum, n) => sum + n.generation_tokens_per_s, 0);
  const kw = nodes.reduce((sum, n) => sum + n.power_kw, 0);
  const perJoule = kw > 0 ? ` · ${(tokens / (kw * 1000)).toFixed(2)} tokens per joule` : '';
  return `<p class="pl-note" data-testid="tokens-provenance">Tokens per s per GPU <span class="prov measured">measured</span>:
    ${escapeHtml(String(b.input.ai.tokens_per_s_per_gpu ?? '—'))} tok/s per busy GPU over ${gpus} GPUs serving ${Math.round(tokens).toLocaleString('en-US')} tok/s${perJoule};
    utilization <span class="prov ${b.ai_provenance.utilization}">${b.ai_provenance.utilization}</span>, realism 100 %.</p>`;
}
