import { ALERT_TITLES } from '../../../server/contract/alert-titles.js';
import type { Alert, RigStatus } from '../../../server/contract/index.js';
import { ApiFailure, post } from '../api.js';
import { fmtAgo, h } from '../format.js';
import { canActOnAlerts, mayLogInToAct } from '../session.js';

/** A figure tile. `raw` goes into data-value so tests compare numbers, not formatted text. */
export function tile(label: string, value: string, opts: { id: string; raw?: number | null; sub?: string; tone?: 'ok' | 'warn' | 'bad' | '' } = { id: '' }): string {
  return `<div class="tile ${opts.tone ?? ''}"><div class="label">${label}</div>
    <div class="value" data-testid="${opts.id}" data-value="${opts.raw ?? ''}">${value}</div>
    ${opts.sub ? `<div class="sub">${opts.sub}</div>` : ''}</div>`;
}

export function statusPill(status: RigStatus): string {
  return `<span class="pill ${status}">${status}</span>`;
}

/** Online / degraded / offline as one stacked bar. */
export function statusBar(rigs: { total: number; online: number; degraded: number; offline: number }): string {
  if (rigs.total === 0) return '<div class="sbar"></div>';
  const pct = (n: number): string => `${((100 * n) / rigs.total).toFixed(2)}%`;
  return `<div class="sbar" title="${rigs.online} online, ${rigs.degraded} degraded, ${rigs.offline} offline">
    <span class="online" style="width:${pct(rigs.online)}"></span><span class="degraded" style="width:${pct(rigs.degraded)}"></span><span class="offline" style="width:${pct(rigs.offline)}"></span></div>`;
}

/** Shared with the server's notifications; re-exported for the alert views. */
export { ALERT_TITLES };

/** An alert as the API lists it: with operators' notes and the silence keeping it quiet, when any. */
export type ShownAlert = Alert & { notes?: { at: number; by: string; text: string }[]; silenced_by?: string | null };

/**
 * One alert as a table row. Acknowledge and Resolve appear only for roles that may use them; an anonymous viewer
 * gets a login link instead, a signed-in viewer nothing. On a phone the row becomes a card (style.css).
 */
export function alertRow(a: ShownAlert, opts: { showTarget: boolean; select?: boolean }): string {
  const target = a.rig ? `<a href="/rigs/${h(a.rig)}">${h(a.rig)}</a>` : `<a href="/sites/${h(a.site)}">${h(a.site)}</a>`;
  const act = canActOnAlerts();
  const buttons =
    a.state === 'resolved' || !act
      ? ''
      : `${a.state === 'open' ? `<button type="button" class="btn ack" data-ack="${h(a.id)}">Acknowledge</button>` : ''}<button type="button" class="btn ghost resolve" data-resolve="${h(a.id)}">Resolve</button>`;
  const login = a.state === 'open' && !act && mayLogInToAct() ? '<a class="btn" href="/login" data-testid="login-to-ack">Log in to acknowledge</a>' : '';
  const status =
    a.state === 'acknowledged'
      ? `<span class="muted">Ack'd${a.acknowledged_by ? ` by ${h(a.acknowledged_by)}` : ''} ${fmtAgo(a.acknowledged_at ?? a.updated_at)}</span>`
      : a.state === 'resolved'
        ? `<span class="muted">Resolved ${fmtAgo(a.resolved_at ?? a.updated_at)}${a.resolved_by === 'manual' ? ` by ${h(a.resolved_by_user ?? 'hand')}` : ''}</span>`
        : '';
  const silenced = a.silenced_by ? ' <span class="pill silenced" data-testid="silenced" title="notifications suppressed">silenced</span>' : '';
  const notes = a.notes?.length ? `<div class="notes">${a.notes.map((n) => `<div><span class="muted">${h(n.by)}:</span> ${h(n.text)}</div>`).join('')}</div>` : '';
  const check = opts.select && act && a.state !== 'resolved' ? `<input type="checkbox" class="pick" data-pick="${h(a.id)}" aria-label="select alert">` : '';
  return `<tr class="alert-row ${a.state} ${a.severity}" data-alert="${h(a.id)}" data-kind="${a.kind}" data-rig="${h(a.rig ?? '')}" data-state="${a.state}">
    <td class="sevcell">${check}<span class="sev ${a.severity}">${a.severity}</span></td>
    <td class="left title">${ALERT_TITLES[a.kind]}${silenced}</td>
    ${opts.showTarget ? `<td class="left target">${target} <span class="muted">${a.rig ? h(a.site) : ''}</span></td>` : ''}
    <td class="left msg">${h(a.message)}${notes}</td>
    <td class="age" title="${new Date(a.opened_at).toISOString()}">${fmtAgo(a.opened_at)}</td>
    <td class="left actions">${status}${buttons}${login}</td></tr>`;
}

/** Wires every [data-ack] / [data-resolve] button under root to the API; the socket event repaints. */
export function ackButtons(root: HTMLElement): () => void {
  const onClick = (event: Event): void => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-ack], button[data-resolve]');
    if (!button) return;
    const resolve = button.dataset.resolve !== undefined;
    const id = (resolve ? button.dataset.resolve : button.dataset.ack) as string;
    button.disabled = true;
    button.textContent = resolve ? 'Resolving…' : 'Acknowledging…';
    post(`/api/alerts/${encodeURIComponent(id)}/${resolve ? 'resolve' : 'ack'}`, {}).catch((err: Error) => {
      if (err instanceof ApiFailure && (err.status === 401 || err.status === 403)) {
        // Viewers may watch but not acknowledge: offer the login instead of a retry that cannot succeed.
        button.outerHTML = '<a class="btn" href="/login" data-testid="login-to-ack">Log in to acknowledge</a>';
        return;
      }
      button.disabled = false;
      button.textContent = resolve ? 'Retry resolve' : 'Retry ack';
      button.title = err.message;
    });
  };
  root.addEventListener('click', onClick);
  return () => root.removeEventListener('click', onClick);
}
