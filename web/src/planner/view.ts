import type { BaselineSite, PlanInputRaw, PlanResult, Provenance } from '../../../server/planner/contract.js';
import { escapeHtml } from '../format.js';
import { displayValue, FIELD_GROUPS, getPath } from './fields.js';
import { mw, pct, usd } from './fmt.js';

const prov = (p: Provenance) => `<span class="prov ${p}" title="${p === 'measured' ? 'from live telemetry' : p === 'config' ? 'from config sites[]' : 'planner default: edit it'}">${p}</span>`;

/** The assumptions form, prefilled from the baseline's plan input. Inputs carry their plan path in data-field. */
export function assumptionsForm(input: PlanInputRaw): string {
  const model = input.ai.model;
  const groups = FIELD_GROUPS.map((group) => {
    const fields = group.fields
      .map((f) => {
        const hidden = f.models && !f.models.includes(model) ? ' hidden' : '';
        const value = getPath(input, f.path);
        const control = f.checkbox
          ? `<input type="checkbox" data-field="${f.path}"${value === true ? ' checked' : ''}>`
          : f.options
            ? `<select data-field="${f.path}">${f.options.map((o) => `<option value="${o}"${(value ?? f.options?.[0]) === o ? ' selected' : ''}>${o}</option>`).join('')}</select>`
            : `<input type="number" step="${f.step ?? 'any'}" data-field="${f.path}" value="${displayValue(f, input)}"${f.optional ? ' placeholder="none"' : ' required'}>`;
        return `<label${hidden} data-models="${f.models?.join(' ') ?? ''}"><span>${escapeHtml(f.label)} <span class="unit">${escapeHtml(f.unit)}</span></span>
          ${control}</label>`;
      })
      .join('');
    const extra =
      group.title === 'AI capacity'
        ? `<label><span>Business model</span><select data-field="ai.model">${['gpu_rental', 'tokens', 'colocation']
            .map((m) => `<option value="${m}"${m === model ? ' selected' : ''}>${m.replace('_', ' ')}</option>`)
            .join('')}</select></label>`
        : group.title === 'Constraints'
          ? `<label><span>Whole sites only</span><input type="checkbox" data-field="constraints.whole_sites"${input.constraints?.whole_sites ? ' checked' : ''}></label>`
          : '';
    return `<fieldset><legend>${group.title}</legend>${extra}${fields}</fieldset>`;
  });
  return `<form class="assumptions" data-testid="assumptions" novalidate>${groups.join('')}
    <p class="pl-note">Every figure here is an assumption (config <code>planner</code>); change any and the plan follows.</p></form>`;
}

/** How much telemetry stands behind "measured" (issue #13): buckets and the minutes they cover, flagged when thin. */
function dataAmount(s: BaselineSite): string {
  const minutes = Math.round(s.measured.window_covered_s / 60);
  const text = `${s.measured.window_points} pts · ${minutes < 120 ? `${minutes} min` : `${(minutes / 60).toFixed(1)} h`}`;
  return `<div class="pl-data${s.measured.sufficient ? '' : ' thin'}" data-testid="data-amount" title="${s.measured.sufficient ? 'telemetry behind the measured values' : 'too little telemetry: uptime and J/TH fall back to config and defaults'}">${text}${s.measured.sufficient ? '' : ' · thin'}</div>`;
}

/** Baseline sites with provenance: what was measured, configured or assumed, and editable planning values. */
export function sitesTable(sites: readonly BaselineSite[], input: PlanInputRaw, windowHours: number): string {
  const rows = sites
    .map((s, i) => {
      const planned = input.sites[i];
      const sources = Object.entries(s.measured.power_sources).map(([k, n]) => `${n} ${k}`).join(', ') || '—';
      return `<tr data-site="${escapeHtml(s.id)}"><td>${escapeHtml(s.name)}</td>
        <td><input type="number" step="0.1" data-site-field="power_mw" data-index="${i}" value="${planned?.power_mw ?? s.power_mw}">${prov(s.provenance.power_mw)}</td>
        <td><input type="number" step="0.001" data-site-field="power_price_usd_per_kwh" data-index="${i}" value="${planned?.power_price_usd_per_kwh ?? s.power_price_usd_per_kwh}">${prov(s.provenance.power_price_usd_per_kwh)}</td>
        <td><input type="number" step="0.1" data-site-field="uptime" data-index="${i}" data-scale="0.01" value="${Number(((planned?.uptime ?? s.uptime) * 100).toFixed(2))}">${prov(s.provenance.uptime)}</td>
        <td><input type="number" step="0.1" data-site-field="efficiency_jth" data-index="${i}" value="${planned?.efficiency_jth ?? ''}">${prov(s.provenance.efficiency_jth)}</td>
        <td><input type="number" step="0.5" data-site-field="facility_capex_usd_per_mw_it" data-index="${i}" data-scale="1000000" placeholder="fleet" value="${planned?.facility_capex_usd_per_mw_it === undefined ? '' : planned.facility_capex_usd_per_mw_it / 1e6}"></td>
        <td>${s.measured.hashrate_ths === null ? '—' : `${(s.measured.hashrate_ths / 1000).toFixed(2)} PH/s`}${dataAmount(s)}</td>
        <td>${s.measured.power_kw === null ? '—' : mw(s.measured.power_kw / 1000)}</td>
        <td title="rigs by power_source">${escapeHtml(sources)}</td>
        <td><input type="checkbox" data-site-field="ai_eligible" data-index="${i}"${planned?.ai_eligible === false || (planned?.ai_eligible === undefined && planned?.hosted) ? '' : ' checked'}></td>
        <td><input type="checkbox" data-site-field="hosted" data-index="${i}"${planned?.hosted ? ' checked' : ''}></td>
        <td><input type="number" step="5" min="0" max="100" data-site-field="take_or_pay_share" data-index="${i}" data-scale="0.01" placeholder="0" value="${planned?.take_or_pay_share === undefined ? '' : Number((planned.take_or_pay_share * 100).toFixed(2))}"></td>
        <td><input type="number" step="1" min="0" data-site-field="contract_months_left" data-index="${i}" placeholder="0" value="${planned?.contract_months_left ?? ''}"></td>
        <td><input type="number" step="100" min="0" data-site-field="site_opex_usd_per_day" data-index="${i}" placeholder="0" value="${planned?.site_opex_usd_per_day ?? ''}"></td>
        <td><input type="number" step="1" min="0" data-site-field="miner_book_value_usd" data-index="${i}" data-scale="1000000" placeholder="0" value="${planned?.miner_book_value_usd === undefined ? '' : planned.miner_book_value_usd / 1e6}"></td></tr>`;
    })
    .join('');
  return `<table class="pl-sites" data-testid="baseline-sites"><thead><tr><th>Site</th><th>MW</th><th>$/kWh</th><th>Uptime %</th><th>J/TH</th>
    <th title="this site's retrofit cost; empty uses the AI assumption">Retrofit M$/MW IT</th><th>Hashrate (${windowHours} h)</th><th>Power (${windowHours} h)</th><th>Power source</th><th>AI eligible</th>
    <th title="hosted: the power price is the all-in hosting rate">Hosted</th><th title="share of the hosting bill owed while off">Take-or-pay %</th><th>Contract months</th>
    <th title="staff, maintenance, fees outside the kWh price">Site opex $/day</th><th title="depreciated over 4 years">Miner book M$</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const tile = (label: string, value: string, id: string) => `<div class="pl-tile"><div class="label">${label}</div><div class="value" data-testid="${id}">${value}</div></div>`;

export function totalsTiles(r: PlanResult): string {
  const p = r.plan;
  return `<div class="pl-tiles">${[
    tile('Convert', mw(p.converted_mw), 'plan-converted-mw'),
    tile('Keep mining', mw(p.mining_mw), 'plan-mining-mw'),
    tile('GPUs', p.gpus.toLocaleString('en-US'), 'plan-gpus'),
    tile('Capex', usd(p.capex_usd), 'plan-capex'),
    tile('Fleet NPV', usd(p.npv_usd), 'plan-npv'),
    tile('Mining only', usd(p.npv_mining_only_usd), 'plan-npv-mining'),
    tile('Greedy rule', usd(p.greedy_npv_usd), 'plan-greedy-npv'),
    tile('Optimum over greedy', usd(p.gain_over_greedy_usd), 'plan-gain-over-greedy'),
    tile('Solver', `${p.solver_status}, gap ${pct(p.optimality_gap, 2)}`, 'plan-solver'),
  ].join('')}</div>`;
}

/** Per-site recommendation with the mining-versus-AI comparison behind it, and fleet totals. */
export function planTable(r: PlanResult): string {
  const rows = r.sites
    .map((s) => `<tr class="${s.decision.convert_share > 0 ? 'convert' : ''}" data-site="${escapeHtml(s.id)}"><td>${escapeHtml(s.name)}</td><td>${mw(s.power_mw)}</td>
      <td>${usd(s.mining.margin_usd_per_day)}</td><td>${usd(s.mining.breakeven_power_usd_per_kwh)}/kWh</td><td>${usd(s.ai.ebitda_usd_per_day)}</td>
      <td>${usd(s.ai.capex_usd)}</td><td>${s.ai.payback_months === null ? 'never' : `${s.ai.payback_months.toFixed(1)} mo`}</td>
      <td>${s.ai.breakeven_gpu_hour_usd === null ? '—' : usd(s.ai.breakeven_gpu_hour_usd)}</td><td>${usd(s.npv.gain_usd)}</td>
      <td data-testid="share">${pct(s.decision.convert_share)}</td><td>${mw(s.decision.converted_mw)}</td><td>${pct(s.decision.greedy_share)}</td></tr>`)
    .join('');
  const p = r.plan;
  return `<table class="pl-plan" data-testid="plan-table"><thead><tr><th>Site</th><th>MW</th><th>Mining margin/day</th><th>Break-even power</th>
    <th>AI EBITDA/day</th><th>AI capex</th><th>Payback</th><th>Break-even $/GPU-h</th><th>NPV gain</th><th>Convert</th><th>Converted</th><th>Greedy</th></tr></thead>
    <tbody>${rows}</tbody><tfoot><tr><th>Total</th><th></th><th></th><th></th><th></th><th>${usd(p.capex_usd)}</th><th></th><th></th>
    <th>${usd(p.npv_usd - p.npv_mining_only_usd)}</th><th></th><th>${mw(p.converted_mw)}</th><th>${mw(p.greedy_converted_mw)}</th></tr></tfoot></table>`;
}

export function marketLine(r: PlanResult): string {
  const m = r.market;
  const halving = m.halving_month === null ? 'no halving in the horizon' : `halving in month ${m.halving_month.toFixed(1)} → ${usd(m.hashprice_after_halving_usd_per_ph_day)}/PH/day`;
  return `<p class="pl-note" data-testid="hashprice">Hashprice ${usd(m.hashprice_usd_per_ph_day)}/PH/day (${(m.btc_per_ph_day * 1000).toFixed(4)} mBTC/PH/day); ${halving}.</p>`;
}
