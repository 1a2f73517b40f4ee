// Type-only: erased at build, so the bundle pulls in nothing from the server.
import type { Silence } from '../../../server/alerts/workflow.js';
import { api, ApiFailure } from '../api.js';
import { fmtAgo, fmtTime, h } from '../format.js';
import { canActOnAlerts } from '../session.js';
import { ALERT_TITLES } from './widgets.js';

const HOURS = [1, 4, 12, 24, 72, 168];

function describe(s: Silence): string {
  const what = [s.rule ? ALERT_TITLES[s.rule] : 'every rule', s.rig ? `rig ${h(s.rig)}` : s.site ? `site ${h(s.site)}` : 'every site'].join(' at ');
  const now = Date.now();
  const when = s.starts_at > now ? `from ${fmtTime(s.starts_at)} until ${fmtTime(s.ends_at)}` : `until ${fmtTime(s.ends_at)}`;
  return `<strong>${s.kind === 'maintenance' ? 'Maintenance' : 'Silenced'}</strong>: ${what}, ${when}
    <span class="muted">· by ${h(s.created_by)} ${fmtAgo(s.created_at)}${s.comment ? ` · ${h(s.comment)}` : ''}</span>`;
}

/**
 * Active and upcoming silences and maintenance windows (alerts they match still show, marked, but notify no one),
 * with a form to add one and a remove button, both only for roles that may act on alerts.
 */
export function mountSilences(el: HTMLElement, changed: () => void): () => void {
  const act = canActOnAlerts();
  el.innerHTML = `<div class="panel silences" data-testid="silences"><div class="panel-head"><h2>Silences and maintenance</h2>
      ${act ? '<button type="button" class="btn ghost" id="silence-new">Add…</button>' : ''}</div>
    <form id="silence-form" class="toolbar" hidden>
      <label>Type <select name="kind"><option value="silence">Silence</option><option value="maintenance">Maintenance window</option></select></label>
      <label>Rule <select name="rule"><option value="">Any rule</option>${Object.entries(ALERT_TITLES).map(([k, t]) => `<option value="${k}">${t}</option>`).join('')}</select></label>
      <label>Site <input name="site" size="10" placeholder="site-01" pattern="[a-z0-9-]{1,64}"></label>
      <label>Rig <input name="rig" size="14" placeholder="any" pattern="[a-z0-9-]{1,64}"></label>
      <label>Starts in <select name="starts"><option value="0">now</option><option value="1">1 h</option><option value="12">12 h</option><option value="24">24 h</option></select></label>
      <label>For <select name="hours">${HOURS.map((n) => `<option value="${n}">${n < 24 ? `${n} h` : `${n / 24} d`}</option>`).join('')}</select></label>
      <input name="comment" maxlength="500" placeholder="Why (shown to everyone)">
      <button type="submit" class="btn">Save</button> <span class="bad" id="silence-error"></span>
    </form>
    <div id="silence-list"><span class="muted">Loading…</span></div></div>`;
  const $ = (sel: string): HTMLElement => el.querySelector(sel) as HTMLElement;
  let stopped = false;

  const load = async (): Promise<void> => {
    const answer = await api<{ silences: Silence[] }>('/api/alerts/silences').catch(() => null);
    if (stopped || !answer) return;
    $('#silence-list').innerHTML = answer.silences.length
      ? answer.silences
          .map((s) => `<div class="silence" data-silence="${h(s.id)}">${describe(s)} ${act ? `<button type="button" class="btn ghost" data-unsilence="${h(s.id)}">Remove</button>` : ''}</div>`)
          .join('')
      : '<span class="muted">None: every alert notifies.</span>';
  };

  el.addEventListener('click', (event) => {
    const target = event.target as HTMLElement;
    if (target.id === 'silence-new') $('#silence-form').hidden = !$('#silence-form').hidden;
    const id = target.closest<HTMLButtonElement>('button[data-unsilence]')?.dataset.unsilence;
    if (id) void api(`/api/alerts/silences/${encodeURIComponent(id)}`, { method: 'DELETE' }).then(load).then(changed);
  });
  $('#silence-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const text = (k: string): string | null => ((form.get(k) as string) || '').trim() || null;
    const starts = Date.now() + Number(form.get('starts')) * 3_600_000;
    const body = {
      kind: form.get('kind'),
      rule: text('rule'),
      site: text('site'),
      rig: text('rig'),
      starts_at: starts,
      ends_at: starts + Number(form.get('hours')) * 3_600_000,
      comment: text('comment') ?? '',
    };
    $('#silence-error').textContent = '';
    api('/api/alerts/silences', { method: 'POST', body: JSON.stringify(body) })
      .then(() => {
        ($('#silence-form') as HTMLFormElement).reset();
        $('#silence-form').hidden = true;
        return load().then(changed);
      })
      .catch((err: Error) => {
        $('#silence-error').textContent = err instanceof ApiFailure ? err.message : 'could not save';
      });
  });
  void load();
  const timer = setInterval(() => void load(), 30_000);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
