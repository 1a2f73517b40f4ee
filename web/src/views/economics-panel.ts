import type { Economics, InferenceEconomics, MiningEconomics } from '../../../server/contract/index.js';
import { api } from '../api.js';
import { fmtDuration, fmtNum, h } from '../format.js';
import { live } from '../live.js';
import './economics.css';

const usd = (value: number | null, digits = 0): string => (value === null ? '—' : `${value < 0 ? '−' : ''}$${fmtNum(Math.abs(value), digits)}`);
const tone = (value: number | null): string => (value !== null && value < 0 ? 'neg' : '');

function sideRows(side: MiningEconomics | InferenceEconomics): string {
  return `<dt>Revenue / day</dt><dd>${usd(side.revenue_usd_per_day)}</dd>
    <dt>Power cost / day</dt><dd>${usd(side.power_cost_usd_per_day)}</dd>
    <dt>Margin / day</dt><dd class="${tone(side.margin_usd_per_day)}">${usd(side.margin_usd_per_day)}</dd>
    <dt>Margin / MW / day</dt><dd class="${tone(side.margin_usd_per_mw_day)}">${usd(side.margin_usd_per_mw_day)}</dd>
    <dt title="${'gpus' in side ? 'GPU board power as nvidia-smi or DCGM reads it: hosts and cooling not included' : 'power the miners report or measure'}">Measured power</dt><dd>${fmtNum(side.power_mw, 3)} MW</dd>`;
}

function render(e: Economics, siteId: string | null): string {
  const site = siteId === null ? null : e.sites.find((s) => s.id === siteId);
  if (siteId !== null && !site) return '<div class="muted">No live economics for this site yet.</div>';
  const { mining, inference } = site ?? e.fleet;
  const m = e.market;
  const age =
    m.source === 'config'
      ? 'market figures from the config'
      : m.updated_at === null
        ? `no ${m.source} reply yet: config figures in use`
        : `${m.source} figures ${fmtDuration(m.age_s)} old`;
  const basis = inference.basis === 'tokens' ? `${fmtNum(inference.generation_tokens_per_s, 0)} generated tok/s × $${fmtNum(e.prices.usd_per_million_tokens, 2)}/M` : `${fmtNum(inference.busy_gpus, 1)} busy GPUs × $${fmtNum(e.prices.gpu_hour_usd, 2)}/h`;
  return `<div class="sides">
      <div class="side mining"><h3>Mining</h3>
        <div class="permw" data-testid="econ-mining-per-mw" data-value="${mining.revenue_usd_per_mw_day ?? ''}">${usd(mining.revenue_usd_per_mw_day)} <small>/ MW / day</small></div>
        <dl>${sideRows(mining)}<dt>Hashrate</dt><dd>${fmtNum(mining.hashrate_ths / 1000, 2)} PH/s</dd>
          <dt>Hashprice</dt><dd>${usd(m.hashprice_usd_per_ph_day, 2)} / PH / day</dd></dl></div>
      <div class="side inference"><h3>Inference</h3>
        <div class="permw" data-testid="econ-inference-per-mw" data-value="${inference.revenue_usd_per_mw_day ?? ''}">${usd(inference.revenue_usd_per_mw_day)} <small>/ MW / day</small></div>
        <dl>${sideRows(inference)}<dt>Basis</dt><dd>${basis}</dd>
          <dt>Tokens / joule</dt><dd>${fmtNum(inference.tokens_per_joule, 3)}</dd></dl></div>
    </div>
    <div class="market" data-testid="econ-market" data-age="${m.age_s ?? ''}">BTC ${usd(m.btc_price_usd)} · difficulty ${fmtNum(m.difficulty / 1e12, 2)} T · fees ${fmtNum(m.fees_btc_per_block, 3)} BTC/block ·
      <span class="${m.stale ? 'stale' : ''}">${h(age)}${m.stale && m.updated_at !== null ? ' (stale)' : ''}</span>${m.error ? ` · <span class="stale" title="${h(m.error)}">last refresh failed</span>` : ''}</div>`;
}

/**
 * Live money per MW for mining and for inference, side by side: the fleet's (siteId null) or one site's. Loaded
 * from GET /api/economics, then kept current by the server's 'economics' pushes. Returns the unmount function.
 */
export function mountEconomics(container: HTMLElement, siteId: string | null): () => void {
  let disposed = false;
  container.classList.add('panel', 'econ');
  container.innerHTML = `<h2>Money per MW, live <span class="muted">mining vs inference</span></h2><div class="econ-body"><div class="loading">Loading…</div></div>`;
  const body = container.querySelector('.econ-body') as HTMLElement;
  const show = (e: Economics): void => {
    if (!disposed) body.innerHTML = render(e, siteId);
  };
  void api<Economics>('/api/economics')
    .then(show)
    .catch((err: Error) => {
      if (!disposed) body.innerHTML = `<div class="muted">${h(err.message)}</div>`;
    });
  live.socket.on('economics', show);
  return () => {
    disposed = true;
    live.socket.off('economics', show);
  };
}
