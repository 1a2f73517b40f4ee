import type { ActionList, ActionRecord } from '../../../server/contract/index.js';
import { api, ApiFailure, post } from '../api.js';
import { h } from '../format.js';
import { ACTION_LABELS, actionForm, actionFormHtml, describeParams, stateClass } from './action-form.js';

const FINAL = new Set(['done', 'failed', 'expired']);

/**
 * The rig page's action menu: pick an action, confirm it (it changes a real miner), follow it to its result, and
 * see the rig's recent actions. The server decides who may act (operators on their sites, admins); its refusal is
 * shown as it comes.
 */
export function mountRigActions(el: HTMLElement, rigId: string): () => void {
  el.innerHTML = `<h2>Actions <a class="more" href="/actions?rig=${encodeURIComponent(rigId)}">history →</a></h2>
    <div class="toolbar">${actionFormHtml('ra')}<button type="button" class="btn" id="ra-run" data-testid="ra-run">Run…</button></div>
    <div id="ra-confirm" class="toolbar" hidden></div>
    <div id="ra-status" class="muted" role="status" aria-live="polite"></div>
    <table class="grid compact" id="ra-recent"><tbody></tbody></table>`;
  const $ = (sel: string): HTMLElement => el.querySelector(sel) as HTMLElement;
  const read = actionForm(el, 'ra');
  let disposed = false;
  let poll: ReturnType<typeof setTimeout> | null = null;

  const recent = async (): Promise<void> => {
    const list = await api<ActionList>(`/api/actions?rig=${encodeURIComponent(rigId)}&limit=5`).catch(() => null);
    if (!list || disposed) return;
    $('#ra-recent tbody').innerHTML = list.items
      .map((a) => `<tr><td class="left">${h(new Date(a.created).toLocaleString())}</td><td class="left">${h(ACTION_LABELS[a.action] ?? a.action)} ${h(describeParams(a))}</td>
        <td class="left"><span class="pill ${stateClass(a.state)}">${a.state}</span></td><td class="left">${h(a.by)}</td><td class="left wrap">${h(a.result?.message ?? '')}</td></tr>`)
      .join('');
  };
  const follow = (id: string): void => {
    poll = setTimeout(async () => {
      const record = await api<ActionRecord>(`/api/actions/${id}`).catch(() => null);
      if (disposed || !record) return;
      $('#ra-status').innerHTML = `${h(ACTION_LABELS[record.action] ?? record.action)}: <span class="pill ${stateClass(record.state)}" data-testid="ra-state">${record.state}</span> ${h(record.result?.message ?? '')}`;
      if (FINAL.has(record.state)) void recent();
      else follow(id);
    }, 1000);
  };

  $('#ra-run').addEventListener('click', () => {
    let body: Record<string, unknown>;
    try {
      body = read();
    } catch (err) {
      $('#ra-status').textContent = (err as Error).message;
      return;
    }
    const label = ACTION_LABELS[String(body.action)] ?? String(body.action);
    const confirmEl = $('#ra-confirm');
    confirmEl.hidden = false;
    confirmEl.innerHTML = `<strong>${h(label)} on ${h(rigId)}?</strong> This acts on the real miner.
      <button type="button" class="btn" data-testid="ra-confirm">Confirm</button> <button type="button" class="btn ghost" data-cancel>Cancel</button>`;
    confirmEl.querySelector('[data-cancel]')?.addEventListener('click', () => (confirmEl.hidden = true));
    confirmEl.querySelector('[data-testid="ra-confirm"]')?.addEventListener('click', () => {
      confirmEl.hidden = true;
      $('#ra-status').textContent = `${label}: sending…`;
      post<{ id: string }>(`/api/rigs/${encodeURIComponent(rigId)}/actions`, body)
        .then((accepted) => {
          $('#ra-status').innerHTML = `${h(label)}: <span class="pill degraded" data-testid="ra-state">queued</span>`;
          follow(accepted.id);
        })
        .catch((err: Error) => {
          $('#ra-status').textContent = err instanceof ApiFailure && err.status === 403 ? `Not allowed: ${err.message}` : err.message;
        });
    });
  });
  void recent();
  return () => {
    disposed = true;
    if (poll) clearTimeout(poll);
  };
}
