import type { BulkProgress } from '../../../server/contract/index.js';
import { api, ApiFailure, post } from '../api.js';
import { h } from '../format.js';
import { ACTION_LABELS, actionForm, actionFormHtml } from './action-form.js';

/**
 * The site page's bulk actions: act on the rigs the table's filters select (read from the URL, which the table
 * keeps in step), or on an explicit selection of rigs, at a pace (default 5 % of the site per minute) so a bulk
 * restart never takes the site down at once. Progress is followed until the run is done.
 */
export function mountSiteActions(el: HTMLElement, siteId: string): () => void {
  el.innerHTML = `<h2>Bulk action <a class="more" href="/actions?site=${encodeURIComponent(siteId)}">history →</a></h2>
    <div class="toolbar">${actionFormHtml('sa')}
      <label>Rigs <input type="text" id="sa-rigs" placeholder="all matching the filters, or rig-1, rig-2…" size="32" data-testid="sa-rigs" /></label>
      <label>Pace <input type="number" id="sa-pace" min="0.1" max="100" step="0.1" value="5" /> % / min</label>
      <button type="button" class="btn" id="sa-run" data-testid="sa-run">Run…</button></div>
    <div id="sa-confirm" class="toolbar" hidden></div>
    <div id="sa-status" class="muted" role="status" aria-live="polite"></div>`;
  const $ = <T extends HTMLElement = HTMLElement>(sel: string): T => el.querySelector(sel) as T;
  const read = actionForm(el, 'sa');
  let disposed = false;
  let poll: ReturnType<typeof setTimeout> | null = null;

  const body = (): Record<string, unknown> => {
    const q = new URLSearchParams(location.search);
    const rigs = $<HTMLInputElement>('#sa-rigs').value.split(/[\s,]+/).filter(Boolean);
    const filters: Record<string, unknown> = {};
    for (const key of ['status', 'model', 'firmware'] as const) if (q.get(key)) filters[key] = [q.get(key)];
    if (q.get('q')) filters.q = q.get('q');
    return { action: read(), ...filters, ...(rigs.length ? { rigs } : {}), pace_pct_per_minute: Number($<HTMLInputElement>('#sa-pace').value) || 5 };
  };
  const paint = (p: BulkProgress): void => {
    $('#sa-status').innerHTML = `${h(ACTION_LABELS[p.action] ?? p.action)} on ${p.total} rigs: <strong data-testid="sa-progress">${p.issued} issued · ${p.done} done · ${p.failed} failed</strong>
      (${p.per_window} per ${Math.round(p.window_ms / 1000)} s) <span class="pill ${p.state === 'running' ? 'degraded' : 'online'}">${p.state}</span>
      ${p.state === 'running' ? '<button type="button" class="btn ghost" data-cancel>Cancel the rest</button>' : ''}`;
    el.querySelector('[data-cancel]')?.addEventListener('click', () => void post(`/api/actions/bulk/${p.id}/cancel`, {}).then((c) => paint(c as BulkProgress)));
  };
  const follow = (id: string): void => {
    poll = setTimeout(async () => {
      const p = await api<BulkProgress>(`/api/actions/bulk/${id}`).catch(() => null);
      if (disposed || !p) return;
      paint(p);
      if (p.state === 'running') follow(id);
    }, 1000);
  };
  $('#sa-run').addEventListener('click', () => {
    let request: Record<string, unknown>;
    try {
      request = body();
    } catch (err) {
      $('#sa-status').textContent = (err as Error).message;
      return;
    }
    const rigs = request.rigs as string[] | undefined;
    const what = rigs ? `${rigs.length} selected rigs` : 'every ASIC rig matching the current filters';
    const confirmEl = $('#sa-confirm');
    confirmEl.hidden = false;
    confirmEl.innerHTML = `<strong>${h(ACTION_LABELS[String((request.action as { action: string }).action)] ?? '')} on ${h(what)} of ${h(siteId)}?</strong>
      <button type="button" class="btn" data-testid="sa-confirm">Confirm</button> <button type="button" class="btn ghost" data-cancel-confirm>Cancel</button>`;
    confirmEl.querySelector('[data-cancel-confirm]')?.addEventListener('click', () => (confirmEl.hidden = true));
    confirmEl.querySelector('[data-testid="sa-confirm"]')?.addEventListener('click', () => {
      confirmEl.hidden = true;
      post<BulkProgress>(`/api/sites/${encodeURIComponent(siteId)}/actions`, request)
        .then((p) => {
          paint(p);
          follow(p.id);
        })
        .catch((err: Error) => ($('#sa-status').textContent = err instanceof ApiFailure && err.status === 403 ? `Not allowed: ${err.message}` : err.message));
    });
  });
  return () => {
    disposed = true;
    if (poll) clearTimeout(poll);
  };
}
