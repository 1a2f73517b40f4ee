import type { ActionRecord } from '../../../server/contract/index.js';
import { h } from '../format.js';

/** The action picker shared by the rig page and the site's bulk panel: one select, the fields its action needs. */
export const ACTION_LABELS: Record<string, string> = {
  restart: 'Restart',
  sleep: 'Sleep (stop hashing)',
  wake: 'Wake',
  power_target: 'Set power target',
  pool_switch: 'Switch pool',
  pool_set: 'Set pool',
};

export function actionFormHtml(prefix: string): string {
  const opts = Object.entries(ACTION_LABELS).map(([k, v]) => `<option value="${k}">${h(v)}</option>`).join('');
  return `<label>Action <select id="${prefix}-action" data-testid="${prefix}-action">${opts}</select></label>
    <span id="${prefix}-params"></span>`;
}

const PARAMS: Record<string, string> = {
  power_target: `<label>Watts <input type="number" min="100" max="30000" step="50" data-param="watts" /></label> <label>or % <input type="number" min="1" max="100" data-param="percent" /></label>`,
  pool_switch: `<label>Pool # <input type="number" min="0" max="15" value="0" data-param="pool" /></label>`,
  pool_set: `<label>URL <input type="text" placeholder="stratum+tcp://pool:3333" data-param="url" /></label> <label>Worker <input type="text" data-param="user" /></label> <label>Password <input type="text" value="x" data-param="password" /></label>`,
};

/** Wires the select to its parameter fields; returns a reader of the request body (throws a sentence on bad input). */
export function actionForm(root: HTMLElement, prefix: string): () => Record<string, unknown> {
  const select = root.querySelector(`#${prefix}-action`) as HTMLSelectElement;
  const params = root.querySelector(`#${prefix}-params`) as HTMLElement;
  const paint = (): void => void (params.innerHTML = PARAMS[select.value] ?? '');
  select.addEventListener('change', paint);
  paint();
  return () => {
    const action = select.value;
    const value = (name: string): string => (params.querySelector(`[data-param="${name}"]`) as HTMLInputElement | null)?.value.trim() ?? '';
    if (action === 'power_target') {
      const watts = value('watts');
      const percent = value('percent');
      if ((watts === '') === (percent === '')) throw new Error('give watts or a percent, not both');
      return watts ? { action, watts: Number(watts) } : { action, percent: Number(percent) };
    }
    if (action === 'pool_switch') return { action, pool: Number(value('pool')) };
    if (action === 'pool_set') return { action, pools: [{ url: value('url'), user: value('user'), password: value('password') || 'x' }] };
    return { action };
  };
}

/** A one-line description of an action record for lists. */
export function describeParams(record: Pick<ActionRecord, 'action' | 'params'>): string {
  const p = record.params;
  if (record.action === 'power_target') return p['watts'] !== undefined ? `${String(p['watts'])} W` : `${String(p['percent'])} %`;
  if (record.action === 'pool_switch') return `pool ${String(p['pool'])}`;
  if (record.action === 'pool_set') return ((p['pools'] as { url: string }[] | undefined) ?? []).map((x) => x.url).join(', ');
  return '';
}

export function stateClass(state: string): string {
  return state === 'done' ? 'online' : state === 'failed' || state === 'expired' ? 'offline' : 'degraded';
}
