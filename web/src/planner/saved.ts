import type { PlanInputRaw } from '../../../server/planner/contract.js';
import type { SavedPlan, SavedPlanListing } from '../../../server/plans/saved-plans.js';
import { api, ApiFailure, post } from '../api.js';
import { LIST_BOUNDS } from '../../../server/contract/paging.js';
import { escapeHtml } from '../format.js';
import { mw, usd } from './fmt.js';

/** What to tell someone whose save or delete was refused, by status: a way forward, not just a code. */
function refusal(err: unknown, doing: string): string {
  if (err instanceof ApiFailure && err.status === 401) return `Log in to ${doing}: <a href="/login">log in</a>.`;
  if (err instanceof ApiFailure && err.status === 403) return `${escapeHtml(err.message)}. Saving plans needs the planner or admin role.`;
  return `Could not ${doing}: ${escapeHtml((err as Error).message)}`;
}

function listHtml(plans: readonly SavedPlanListing[]): string {
  if (plans.length === 0) return '<p class="pl-note" data-testid="saved-empty">No saved plans yet.</p>';
  const rows = plans
    .map(
      (p) => `<li data-plan="${escapeHtml(p.id)}"><button type="button" data-saved-open="${escapeHtml(p.id)}" title="Load its inputs into the planner">${escapeHtml(p.name)}</button>
        <span class="pl-note">${escapeHtml(p.author)}, ${new Date(p.created).toLocaleString()} · ${mw(p.summary.converted_mw)} to AI · NPV ${usd(p.summary.npv_usd)}</span>
        <button type="button" class="pl-link" data-saved-delete="${escapeHtml(p.id)}" aria-label="Delete ${escapeHtml(p.name)}">delete</button></li>`,
    )
    .join('');
  return `<ul class="pl-saved-list" data-testid="saved-plans">${rows}</ul>`;
}

/**
 * The planner page's saved plans panel: a name and a Save button (POST /api/plans with the current input), and the
 * saved plans (GET /api/plans); opening one loads its input into the planner through `open` (which returns a caveat to show, or ''). Re-attached to the new
 * slot each time the page redraws its shell.
 */
export function savedPlansPanel(getInput: () => PlanInputRaw | null, open: (input: PlanInputRaw) => string): { attach(slot: HTMLElement): void } {
  let plans: SavedPlanListing[] | null = null;
  let slot: HTMLElement | null = null;
  let message = '';

  const paint = (): void => {
    if (!slot) return;
    const list = slot.querySelector('.pl-saved-items');
    if (list) list.innerHTML = plans ? listHtml(plans) : '<p class="pl-note">loading saved plans…</p>';
    const note = slot.querySelector('[data-testid="saved-message"]');
    if (note) note.innerHTML = message;
  };
  const say = (html: string): void => {
    message = html;
    paint();
  };
  const refresh = async (): Promise<void> => {
    try {
      // Newest first, as many as one page holds (planner.saved_plans_max defaults to that many).
      plans = (await api<{ plans: SavedPlanListing[] }>(`/api/plans?limit=${LIST_BOUNDS.plans.maxLimit}`)).plans;
    } catch (err) {
      plans = [];
      message = refusal(err, 'list saved plans');
    }
    paint();
  };

  async function save(): Promise<void> {
    const input = getInput();
    const name = slot?.querySelector<HTMLInputElement>('input[name="plan-name"]')?.value.trim() ?? '';
    if (!input) return say('Nothing to save yet: the plan is still loading.');
    if (!name) return say('Give the plan a name first.');
    say('saving…');
    try {
      const saved = await post<SavedPlan>('/api/plans', { name, input });
      message = `Saved “${escapeHtml(saved.name)}”.`;
      await refresh();
    } catch (err) {
      say(refusal(err, 'save plans'));
    }
  }

  async function onClick(event: Event): Promise<void> {
    const target = event.target as HTMLElement;
    if (target.dataset.savedAction === 'save') return save();
    const openId = target.dataset.savedOpen;
    const deleteId = target.dataset.savedDelete;
    try {
      if (openId) {
        const plan = await api<SavedPlan>(`/api/plans/${encodeURIComponent(openId)}`);
        message = `Opened “${escapeHtml(plan.name)}” (saved by ${escapeHtml(plan.author)}).`;
        // open() redraws the page, which re-attaches this panel with the message; it may add a caveat.
        message += escapeHtml(open(plan.input as unknown as PlanInputRaw));
        paint();
      } else if (deleteId) {
        await api(`/api/plans/${encodeURIComponent(deleteId)}`, { method: 'DELETE' });
        message = 'Deleted.';
        await refresh();
      }
    } catch (err) {
      say(refusal(err, openId ? 'open the plan' : 'delete plans'));
    }
  }

  return {
    attach(next: HTMLElement): void {
      slot = next;
      slot.innerHTML = `<h3>Saved plans</h3>
        <div class="pl-actions"><input name="plan-name" maxlength="120" placeholder="Plan name" aria-label="Plan name" data-testid="plan-name">
        <button type="button" data-saved-action="save" data-testid="save-plan">Save plan</button></div>
        <p class="pl-note" role="status" data-testid="saved-message"></p><div class="pl-saved-items"></div>`;
      slot.addEventListener('click', (event) => void onClick(event));
      if (plans) paint();
      else void refresh();
    },
  };
}
