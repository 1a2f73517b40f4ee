import type { Baseline, PlanInputRaw, PlanResult } from '../../../server/planner/contract.js';
import { gpuHourEquivalent } from '../../../server/planner/gpu-hour.js';
import { api, ApiFailure } from '../api.js';
import { escapeHtml } from '../format.js';
import { scenarioHeatmap, siteComparisonChart, tornadoChart } from './charts.js';
import { fleetTiles, riskChart, scheduleTimeline, verdictsList } from './decision-view.js';
import { download, planCsv } from './export.js';
import { FIELD_GROUPS, fieldProblem, getPath, OPTIONAL_GROUPS, parseValue, setPath } from './fields.js';
import { savedPlansPanel } from './saved.js';
import './planner.css';
import { assumptionsForm, marketLine, planTable, sitesTable, totalsTiles } from './view.js';
import { measuredTokensNote } from './measured-tokens.js';

const DEBOUNCE_MS = 350;

/** The page shows risk by default: 500 seeded runs at the engine's default volatilities (edit or clear them). */
function withRiskDefaults(input: PlanInputRaw): PlanInputRaw {
  input.analysis ??= {};
  input.analysis.monte_carlo ??= { runs: 500, seed: 1, btc_price_vol_annual: 0.6, gpu_hour_vol_annual: 0.3 };
  return input;
}

/**
 * Planner page mount point (the app shell routes /planner here). Loads the live baseline, prefills every
 * assumption from it, and re-plans (POST /api/plan) whenever an input changes. Returns the unmount function.
 * `data-state` (loading | ready | error) and `data-seq` (plans rendered) on the section let tests follow it.
 */
export function mountPlanner(root: HTMLElement): () => void {
  const section = document.createElement('section');
  section.className = 'planner';
  section.dataset.state = 'loading';
  section.dataset.seq = '0';
  section.innerHTML = `<h2>AI-pivot planner <span class="pl-status" data-testid="planner-status">loading the live baseline…</span></h2>`;
  root.replaceChildren(section);

  const aborter = new AbortController();
  let baseline: Baseline | null = null;
  let input: PlanInputRaw | null = null;
  let result: PlanResult | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let requestSeq = 0;
  let inflight: AbortController | null = null;
  let heatMetric: 'converted_mw' | 'npv_usd' = 'converted_mw';
  let gridIndex = 0;

  const $ = <T extends Element>(selector: string) => section.querySelector<T>(selector);
  const setStatus = (text: string) => {
    const el = $('[data-testid="planner-status"]');
    if (el) el.textContent = text;
  };

  function showError(message: string): void {
    const box = $('.pl-error-slot');
    if (box) box.innerHTML = message ? `<div class="pl-error" role="alert" data-testid="planner-error">${escapeHtml(message)}</div>` : '';
  }

  function renderShell(b: Baseline, plan: PlanInputRaw): void {
    const hours = Math.round((b.window.to - b.window.from) / 3_600_000);
    section.innerHTML = `<h2>AI-pivot planner <span class="pl-status" data-testid="planner-status"></span></h2>
      <p class="pl-note">Sites come from the live fleet: <span class="prov measured">measured</span> from the telemetry of the last ${hours} h (each site shows how much),
      <span class="prov config">config</span> from <code>sites[]</code>, <span class="prov assumed">assumed</span> where neither knows. Edit any value.</p>
      ${measuredTokensNote(b)}
      <div class="pl-error-slot"></div>
      <div class="pl-layout"><div>${assumptionsForm(plan)}<div class="pl-saved"></div></div>
      <div><h3>Sites</h3>${b.sites.length ? sitesTable(b.sites, plan, hours) : '<p class="pl-note" data-testid="no-sites">No site reports telemetry yet and config lists none.</p>'}
      <div class="pl-results"></div></div></div>`;
    const slot = $<HTMLElement>('.pl-saved');
    if (slot) saved.attach(slot);
  }

  /** A saved plan's input replaces the form's; the live baseline's sites table stays, matched by position. */
  function openSaved(plan: PlanInputRaw): string {
    if (!baseline) return '';
    input = structuredClone(plan);
    renderShell(baseline, input);
    const live = baseline.sites.map((s) => s.id).join(',');
    void solve();
    return input.sites.map((s) => s.id).join(',') === live ? '' : ' It lists other sites than the live fleet has now: the sites table shows the live sites.';
  }
  const saved = savedPlansPanel(() => input, openSaved);

  function renderResults(r: PlanResult): void {
    const slot = $('.pl-results');
    if (!slot || !input) return;
    const scenarios = r.scenarios;
    const ai = input.ai;
    // Today's revenue per sold GPU-hour: the price, or for the token model what its token price earns an hour.
    const gpuHour = gpuHourEquivalent(ai);
    const heat = scenarios
      ? `<h3>Scenarios <select data-control="heat-metric"><option value="converted_mw"${heatMetric === 'converted_mw' ? ' selected' : ''}>converted MW</option>
          <option value="npv_usd"${heatMetric === 'npv_usd' ? ' selected' : ''}>fleet NPV</option></select>
          ${scenarios.grids.length > 1 ? `<select data-control="grid">${scenarios.grids.map((g, i) => `<option value="${i}"${i === gridIndex ? ' selected' : ''}>difficulty +${(g.difficulty_growth_per_month * 100).toFixed(1)}%/month</option>`).join('')}</select>` : ''}</h3>
          <p class="pl-note">Optimal plan re-solved in every cell; the outlined cell is closest to today's inputs.</p>
          ${scenarioHeatmap(scenarios, Math.min(gridIndex, scenarios.grids.length - 1), heatMetric, { btc: input.market.btc_price_usd, gpuHour })}`
      : '';
    slot.innerHTML = `<h3>What to do</h3>${verdictsList(r)}${fleetTiles(r)}
      <h3>Recommended plan</h3>${marketLine(r)}${totalsTiles(r)}
      ${r.warnings.map((w) => `<p class="pl-warn">${escapeHtml(w)}</p>`).join('')}
      <div class="pl-actions" style="margin:0.75rem 0"><button type="button" data-action="csv">Export CSV</button><button type="button" data-action="json">Export JSON</button></div>
      <h3>Schedule</h3>${scheduleTimeline(r, input)}
      ${r.risk ? `<h3>Risk: fleet NPV over ${r.risk.runs} price paths</h3>${riskChart(r.risk, r.plan.npv_usd)}` : ''}
      ${planTable(r)}<h3>Mining versus AI, per MW</h3>${siteComparisonChart(r.sites)}${heat}
      ${r.tornado ? `<h3>Sensitivity of fleet NPV</h3>${tornadoChart(r.tornado, r.plan.npv_usd)}` : ''}`;
  }

  async function solve(): Promise<void> {
    if (!input) return;
    const seq = ++requestSeq;
    inflight?.abort();
    inflight = new AbortController();
    setStatus('planning…');
    try {
      let body: PlanResult;
      try {
        body = await api<PlanResult>('/api/plan', { method: 'POST', body: JSON.stringify(input), signal: inflight.signal });
      } catch (err) {
        if (!(err instanceof ApiFailure) || err.status === 0) throw err;
        if (seq !== requestSeq) return; // a newer request superseded this one
        showError(err.message.split('; ').join('\n'));
        section.dataset.state = 'error';
        setStatus('fix the highlighted input');
        return;
      }
      if (seq !== requestSeq) return;
      showError('');
      result = body;
      renderResults(body);
      section.dataset.state = 'ready';
      section.dataset.seq = String(Number(section.dataset.seq) + 1);
      setStatus(`solved in ${Math.round(body.plan.solve_ms)} ms, ${body.plan.solver_status}`);
    } catch (err) {
      if ((err as Error).name === 'AbortError') return;
      showError(`planner unreachable: ${(err as Error).message}`);
      section.dataset.state = 'error';
    }
  }

  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void solve(), DEBOUNCE_MS);
  };

  function onInput(event: Event): void {
    const el = event.target as HTMLInputElement | HTMLSelectElement;
    if (!input) return;
    const field = el.dataset.field;
    const siteField = el.dataset.siteField;
    if (field === 'ai.model') {
      input.ai.model = el.value as PlanInputRaw['ai']['model'];
      section.querySelectorAll<HTMLElement>('label[data-models]').forEach((label) => {
        const models = label.dataset.models;
        label.hidden = Boolean(models) && !models?.split(' ').includes(el.value);
      });
    } else if (field === 'constraints.whole_sites') {
      setPath(input as unknown as Record<string, unknown>, field, (el as HTMLInputElement).checked);
    } else if (field) {
      const spec = FIELD_GROUPS.flatMap((g) => g.fields).find((f) => f.path === field);
      if (!spec) return;
      const tree = input as unknown as Record<string, unknown>;
      if (spec.checkbox) setPath(tree, field, (el as HTMLInputElement).checked);
      else if (spec.options) setPath(tree, field, el.value);
      else {
        // Checked in the unit the form shows (issue #13), before anything is sent.
        const problem = fieldProblem(spec, el.value);
        el.classList.toggle('bad', problem !== null);
        if (problem) {
          // A plan still in flight must not land on top of the error and mark the page ready.
          clearTimeout(timer);
          inflight?.abort();
          requestSeq++;
          showError(problem);
          section.dataset.state = 'error';
          setStatus('fix the highlighted input');
          return;
        }
        setPath(tree, field, parseValue(spec, el.value));
      }
      // An optional group with nothing left in it goes away: an empty treasury would be a $0 capex budget.
      for (const group of OPTIONAL_GROUPS) {
        const node = getPath(tree, group);
        if (node && typeof node === 'object' && Object.keys(node).length === 0) setPath(tree, group, undefined);
      }
    } else if (siteField) {
      const site = input.sites[Number(el.dataset.index)] as Record<string, unknown> | undefined;
      if (!site) return;
      if (siteField === 'ai_eligible' || siteField === 'hosted') site[siteField] = (el as HTMLInputElement).checked;
      else {
        const value = el.value.trim() === '' ? undefined : Number(el.value) * Number(el.dataset.scale ?? 1);
        el.classList.toggle('bad', value !== undefined && Number.isNaN(value));
        if (Number.isNaN(value)) return;
        if (value === undefined) delete site[siteField];
        else site[siteField] = value;
      }
    } else if (el.dataset.control === 'heat-metric' || el.dataset.control === 'grid') {
      if (el.dataset.control === 'heat-metric') heatMetric = el.value as typeof heatMetric;
      else gridIndex = Number(el.value);
      if (result) renderResults(result);
      return;
    } else return;
    schedule();
  }

  function onClick(event: Event): void {
    const action = (event.target as HTMLElement).dataset.action;
    if (!result || !action) return;
    const stamp = new Date().toISOString().slice(0, 10);
    if (action === 'csv' && input) download(`rigline-plan-${stamp}.csv`, 'text/csv', planCsv(result, input));
    if (action === 'json') download(`rigline-plan-${stamp}.json`, 'application/json', JSON.stringify({ input, result }, null, 2));
  }

  section.addEventListener('input', onInput);
  section.addEventListener('change', onInput);
  section.addEventListener('click', onClick);

  void (async () => {
    try {
      baseline = await api<Baseline>('/api/plan/baseline', { signal: aborter.signal });
      input = withRiskDefaults(structuredClone(baseline.input));
      renderShell(baseline, input);
      if (baseline.sites.length === 0) {
        section.dataset.state = 'ready';
        setStatus('waiting for sites');
        return;
      }
      await solve();
    } catch (err) {
      if ((err as Error).name === 'AbortError') return;
      section.dataset.state = 'error';
      setStatus(`could not load the baseline: ${(err as Error).message}`);
    }
  })();

  return () => {
    aborter.abort();
    inflight?.abort();
    clearTimeout(timer);
    section.removeEventListener('input', onInput);
    section.removeEventListener('change', onInput);
    section.removeEventListener('click', onClick);
    root.replaceChildren();
  };
}
