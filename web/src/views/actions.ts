import type { ActionList } from '../../../server/contract/index.js';
import { api } from '../api.js';
import { h } from '../format.js';
import { setQuery, type View } from '../router.js';
import { ACTION_LABELS, describeParams, stateClass } from './action-form.js';

const PAGE = 50;
const FILTERS = ['site', 'rig', 'by', 'state'] as const;

/** Action history (the audit trail): who did what to which rig, when, and what the miner said; filtered and paged. */
export const actionsView: View = (root, _params, query) => {
  const filters = Object.fromEntries(FILTERS.map((k) => [k, query.get(k) ?? ''])) as Record<(typeof FILTERS)[number], string>;
  let offset = Number(query.get('offset') ?? 0) || 0;
  let disposed = false;
  document.title = 'Actions · rigline';
  root.innerHTML = `<section class="page actions"><div class="page-head"><h1>Actions</h1><span class="muted">every operator, bulk and curtailment action, with its result</span></div>
    <div class="panel"><div class="toolbar" id="af">
      <label>Site <input type="text" data-f="site" value="${h(filters.site)}" size="12" /></label>
      <label>Rig <input type="text" data-f="rig" value="${h(filters.rig)}" size="12" /></label>
      <label>By <input type="text" data-f="by" value="${h(filters.by)}" size="12" /></label>
      <label>State <select data-f="state">${['', 'queued', 'sent', 'done', 'failed', 'expired'].map((s) => `<option value="${s}" ${s === filters.state ? 'selected' : ''}>${s || 'any'}</option>`).join('')}</select></label>
      <span class="muted" id="a-total" data-testid="actions-total"></span>
      <button type="button" class="btn ghost" id="a-prev">‹ Newer</button><button type="button" class="btn ghost" id="a-next">Older ›</button></div>
    <table class="grid" id="a-table"><thead><tr><th class="left">When</th><th class="left">Rig</th><th class="left">Site</th><th class="left">Action</th><th class="left">By</th><th class="left">State</th><th class="left">Result</th></tr></thead><tbody></tbody></table></div></section>`;
  const $ = (sel: string): HTMLElement => root.querySelector(sel) as HTMLElement;

  const load = async (): Promise<void> => {
    const q = new URLSearchParams();
    for (const k of FILTERS) if (filters[k]) q.set(k, filters[k]);
    if (offset) q.set('offset', String(offset));
    setQuery(q);
    q.set('limit', String(PAGE));
    const list = await api<ActionList>(`/api/actions?${q}`).catch((err: Error) => err);
    if (disposed) return;
    if (list instanceof Error) {
      $('#a-total').textContent = list.message;
      return;
    }
    $('#a-total').textContent = `${list.total} actions${list.total > PAGE ? ` · ${offset + 1}–${Math.min(offset + PAGE, list.total)}` : ''}`;
    ($('#a-prev') as HTMLButtonElement).disabled = offset === 0;
    ($('#a-next') as HTMLButtonElement).disabled = offset + PAGE >= list.total;
    $('#a-table tbody').innerHTML =
      list.items
        .map((a) => `<tr data-action="${h(a.id)}"><td class="left">${h(new Date(a.created).toLocaleString())}</td><td class="left"><a href="/rigs/${encodeURIComponent(a.rig)}">${h(a.rig)}</a></td>
          <td class="left"><a href="/sites/${encodeURIComponent(a.site)}">${h(a.site)}</a></td><td class="left">${h(ACTION_LABELS[a.action] ?? a.action)} ${h(describeParams(a))}</td>
          <td class="left">${h(a.by)}</td><td class="left"><span class="pill ${stateClass(a.state)}">${a.state}</span></td><td class="left wrap">${h(a.result ? `${a.result.code}: ${a.result.message}` : '')}</td></tr>`)
        .join('') || '<tr><td class="left" colspan="7">No actions yet</td></tr>';
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  $('#af').addEventListener('input', (event) => {
    const input = event.target as HTMLInputElement;
    const key = input.dataset.f as (typeof FILTERS)[number] | undefined;
    if (!key) return;
    filters[key] = input.value.trim();
    offset = 0;
    clearTimeout(timer);
    timer = setTimeout(() => void load(), 250);
  });
  $('#a-prev').addEventListener('click', () => void ((offset = Math.max(0, offset - PAGE)), load()));
  $('#a-next').addEventListener('click', () => void ((offset += PAGE), load()));
  const refresh = setInterval(() => void load(), 5000);
  void load();
  return () => {
    disposed = true;
    clearTimeout(timer);
    clearInterval(refresh);
  };
};
