import type { Alert, SiteRollup } from '../../../server/contract/index.js';
import { api, apiList } from '../api.js';
import { download, toCsv } from '../csv.js';
import { h } from '../format.js';
import { live, perFrame } from '../live.js';
import { setQuery, type View } from '../router.js';
import { canActOnAlerts } from '../session.js';
import { mountSilences } from './silences.js';
import { ackButtons, ALERT_TITLES, alertRow, type ShownAlert } from './widgets.js';

const TABS = [
  { key: 'active', label: 'Active' },
  { key: 'open', label: 'Open' },
  { key: 'acknowledged', label: 'Acknowledged' },
  { key: 'resolved', label: 'Resolved' },
  { key: 'all', label: 'All' },
] as const;
type Tab = (typeof TABS)[number]['key'];

const inTab = (a: Alert, tab: Tab): boolean => tab === 'all' || (tab === 'active' ? a.state !== 'resolved' : a.state === tab);

/** Alerts: tabs by state, site filter, acknowledge buttons; kept current from socket events without reload. */
export const alertsView: View = (root, _params, query) => {
  let tab: Tab = (TABS.find((t) => t.key === query.get('state'))?.key ?? 'active') as Tab;
  let site = query.get('site') ?? '';
  let kind = query.get('kind') ?? '';
  let alerts: ShownAlert[] = [];
  /** How many alerts the server holds for this tab and site (X-Total-Count); more than loaded means the list is cut. */
  let total = 0;
  let shown: ShownAlert[] = [];
  const act = canActOnAlerts();
  let loadSeq = 0;
  let paintedHtml = '';
  root.innerHTML = `
    <section class="page alerts-page">
      <div class="page-head"><h1>Alerts</h1><span class="muted" id="summary"></span></div>
      <div class="toolbar">
        <div class="tabs" role="tablist" id="tabs"></div>
        <label>Site <select id="site"><option value="">All sites</option></select></label>
        <label>Rule <select id="kind"><option value="">All rules</option>${Object.entries(ALERT_TITLES)
          .map(([k, title]) => `<option value="${k}" ${k === kind ? 'selected' : ''}>${title}</option>`)
          .join('')}</select></label>
        <button type="button" class="btn ghost" id="csv" data-testid="alerts-csv">Export CSV</button>
      </div>
      ${act ? `<div class="toolbar bulk" id="bulk"><label><input type="checkbox" id="pick-all"> All shown</label>
        <button type="button" class="btn" id="bulk-ack" disabled>Acknowledge selected</button>
        <button type="button" class="btn ghost" id="bulk-resolve" disabled>Resolve selected</button>
        <input type="text" id="bulk-note" maxlength="2000" placeholder="Note (optional)"></div>` : ''}
      <div id="silences"></div>
      <div class="panel"><table class="grid alerts" id="alert-table"><thead><tr><th>Severity</th><th class="left">Alert</th><th class="left">Rig / site</th>
        <th class="left">What</th><th>Opened</th><th class="left">State</th></tr></thead><tbody><tr><td class="left" colspan="6">Loading…</td></tr></tbody></table></div>
    </section>`;
  const $ = (sel: string): HTMLElement => root.querySelector(sel) as HTMLElement;

  const paintTabs = (): void => {
    $('#tabs').innerHTML = TABS.map((t) => `<button type="button" role="tab" data-tab="${t.key}" aria-selected="${t.key === tab}" class="${t.key === tab ? 'active' : ''}">${t.label}</button>`).join('');
  };
  const paint = (): void => {
    const rank = (a: Alert): number => (a.state === 'resolved' ? 2 : 0) + (a.severity === 'critical' ? 0 : 1);
    const picked = new Set([...root.querySelectorAll<HTMLInputElement>('input[data-pick]:checked')].map((i) => i.dataset.pick));
    shown = alerts
      .filter((a) => inTab(a, tab) && (!site || a.site === site) && (!kind || a.kind === kind))
      .sort((a, b) => rank(a) - rank(b) || (b.resolved_at ?? b.opened_at) - (a.resolved_at ?? a.opened_at));
    const html = shown.length
      ? shown.map((a) => alertRow(a, { showTarget: true, select: true })).join('')
      : `<tr><td class="left ok-text" colspan="6">No ${tab === 'all' || tab === 'active' ? '' : `${tab} `}alerts${site ? ` at ${h(site)}` : ''}.</td></tr>`;
    // Rebuild the rows only when they read differently: a repeated alert event must not replace the row a
    // finger is on (a tap on a detached button is lost).
    if (html !== paintedHtml) {
      $('#alert-table tbody').innerHTML = html;
      paintedHtml = html;
    }
    const open = alerts.filter((a) => a.state === 'open').length;
    const acked = alerts.filter((a) => a.state === 'acknowledged').length;
    const cut = total > alerts.length ? ` · ${alerts.length} of ${total} loaded` : '';
    $('#summary').textContent = `${open} open · ${acked} acknowledged${cut}`;
    for (const box of root.querySelectorAll<HTMLInputElement>('input[data-pick]')) box.checked = picked.has(box.dataset.pick);
    updateBulk();
  };
  const selected = (): string[] => [...root.querySelectorAll<HTMLInputElement>('input[data-pick]:checked')].map((i) => i.dataset.pick as string);
  const updateBulk = (): void => {
    if (!act) return;
    const n = selected().length;
    for (const id of ['#bulk-ack', '#bulk-resolve']) ($(id) as HTMLButtonElement).disabled = n === 0;
  };
  if (act) {
    root.addEventListener('change', (event) => {
      const target = event.target as HTMLInputElement;
      if (target.id === 'pick-all') for (const box of root.querySelectorAll<HTMLInputElement>('input[data-pick]')) box.checked = target.checked;
      updateBulk();
    });
    for (const action of ['ack', 'resolve'] as const) {
      $(`#bulk-${action}`).addEventListener('click', () => {
        const ids = selected();
        const note = ($('#bulk-note') as HTMLInputElement).value.trim();
        if (ids.length === 0) return;
        void api(`/api/alerts/${action}`, { method: 'POST', body: JSON.stringify(note ? { ids, note } : { ids }) }).then(() => {
          ($('#bulk-note') as HTMLInputElement).value = '';
          ($('#pick-all') as HTMLInputElement).checked = false;
          return load();
        });
      });
    }
  }
  $('#csv').addEventListener('click', () => {
    const header = ['id', 'severity', 'rule', 'site', 'rig', 'state', 'message', 'value', 'threshold', 'opened_at', 'acknowledged_at', 'acknowledged_by', 'resolved_at', 'resolved_by', 'silenced_by'];
    const iso = (t: number | null): string => (t === null ? '' : new Date(t).toISOString());
    const rows = shown.map((a) => [a.id, a.severity, a.kind, a.site, a.rig, a.state, a.message, a.value, a.threshold, iso(a.opened_at), iso(a.acknowledged_at), a.acknowledged_by, iso(a.resolved_at), a.resolved_by_user ?? a.resolved_by, a.silenced_by ?? '']);
    download(`rigline-alerts-${tab}${site ? `-${site}` : ''}.csv`, toCsv(header, rows));
  });
  const load = async (): Promise<void> => {
    const seq = ++loadSeq;
    const state = tab === 'active' || tab === 'open' || tab === 'acknowledged' ? 'active' : tab;
    const list = await apiList<Alert>(`/api/alerts?state=${state}&limit=2000${site ? `&site=${encodeURIComponent(site)}` : ''}`).catch(() => null);
    if (seq !== loadSeq || !list) return;
    alerts = list.items;
    total = list.total;
    paint();
  };
  const syncUrl = (): void => {
    const q = new URLSearchParams();
    if (tab !== 'active') q.set('state', tab);
    if (site) q.set('site', site);
    if (kind) q.set('kind', kind);
    setQuery(q);
  };

  $('#tabs').addEventListener('click', (event) => {
    const key = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-tab]')?.dataset.tab as Tab | undefined;
    if (!key || key === tab) return;
    tab = key;
    paintTabs();
    syncUrl();
    void load();
  });
  const select = $('#site') as HTMLSelectElement;
  const fillSites = (sites: SiteRollup[]): void => {
    const known = new Set([...select.options].map((o) => o.value));
    for (const s of sites) if (!known.has(s.id)) select.add(new Option(`${s.name} (${s.id})`, s.id));
    select.value = site;
  };
  if (live.fleet) fillSites(live.fleet.sites);
  select.addEventListener('change', () => {
    site = select.value;
    syncUrl();
    void load();
  });

  const paintSoon = perFrame(paint);
  $('#kind').addEventListener('change', (event) => {
    kind = (event.target as HTMLSelectElement).value;
    syncUrl();
    paint();
  });
  const onAlert = (alert: Alert): void => {
    const i = alerts.findIndex((a) => a.id === alert.id);
    // Socket events carry the alert alone: keep the notes and silence the list answer had.
    if (i >= 0) alerts[i] = { ...alerts[i], ...alert };
    else alerts.unshift(alert);
    paintSoon();
  };
  paintTabs();
  void load();
  const offs = [live.onAlert.on(onAlert), live.onAlertsLoaded.on(() => void load()), live.onFleet.on((u) => fillSites(u.sites))];
  const offAck = ackButtons(root);
  const offSilences = mountSilences($('#silences'), () => void load());
  // Ages ("3 min ago") move on even when nothing else does.
  const ticker = setInterval(paint, 15_000);
  return () => {
    offs.forEach((off) => off());
    offAck();
    offSilences();
    paintSoon.cancel();
    clearInterval(ticker);
  };
};
