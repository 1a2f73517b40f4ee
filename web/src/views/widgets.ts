import { ALERT_TITLES } from '../../../server/contract/alert-titles.js';
import type { Alert, RigStatus } from '../../../server/contract/index.js';
import { ApiFailure, post } from '../api.js';
import { fmtAgo, h } from '../format.js';

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

/** One alert as a table row; the ack button carries the id. */
export function alertRow(a: Alert, opts: { showTarget: boolean }): string {
  const target = a.rig ? `<a href="/rigs/${h(a.rig)}">${h(a.rig)}</a>` : `<a href="/sites/${h(a.site)}">${h(a.site)}</a>`;
  const action =
    a.state === 'open'
      ? `<button type="button" class="btn ack" data-ack="${h(a.id)}">Acknowledge</button>`
      : a.state === 'acknowledged'
        ? `<span class="muted">Ack'd${a.acknowledged_by ? ` by ${h(a.acknowledged_by)}` : ''} ${fmtAgo(a.acknowledged_at ?? a.updated_at)}</span>`
        : `<span class="muted">Resolved ${fmtAgo(a.resolved_at ?? a.updated_at)}${a.resolved_by === 'manual' ? ' (by hand)' : ''}</span>`;
  return `<tr class="alert-row ${a.state} ${a.severity}" data-alert="${h(a.id)}" data-kind="${a.kind}" data-rig="${h(a.rig ?? '')}" data-state="${a.state}">
    <td><span class="sev ${a.severity}">${a.severity}</span></td>
    <td class="left">${ALERT_TITLES[a.kind]}</td>
    ${opts.showTarget ? `<td class="left">${target} <span class="muted">${a.rig ? h(a.site) : ''}</span></td>` : ''}
    <td class="left msg">${h(a.message)}</td>
    <td title="${new Date(a.opened_at).toISOString()}">${fmtAgo(a.opened_at)}</td>
    <td class="left">${action}</td></tr>`;
}

/** Wires every [data-ack] button under root to POST /api/alerts/:id/ack; the socket event repaints. */
export function ackButtons(root: HTMLElement): () => void {
  const onClick = (event: Event): void => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-ack]');
    if (!button) return;
    button.disabled = true;
    button.textContent = 'Acknowledging…';
    post(`/api/alerts/${encodeURIComponent(button.dataset.ack as string)}/ack`, { by: 'dashboard' }).catch((err: Error) => {
      if (err instanceof ApiFailure && (err.status === 401 || err.status === 403)) {
        // Viewers may watch but not acknowledge: offer the login instead of a retry that cannot succeed.
        button.outerHTML = '<a class="btn" href="/login" data-testid="login-to-ack">Log in to acknowledge</a>';
        return;
      }
      button.disabled = false;
      button.textContent = 'Retry acknowledge';
      button.title = err.message;
    });
  };
  root.addEventListener('click', onClick);
  return () => root.removeEventListener('click', onClick);
}
