import type { FacetCounts, RigPage, RigSortKey, SiteRollup } from '../../../server/contract/index.js';
import { mountEconomics } from './economics-panel.js';
import { loadSeries, parseRange, rangeBar, RANGES, timeChart, type RangeKey } from '../charts.js';
import { fmtHashrate, fmtNum, fmtOrDash, fmtPower, h } from '../format.js';
import { live, perFrame } from '../live.js';
import { navigate, setQuery, type View } from '../router.js';
import { RigTable, type TableQuery } from './rig-table.js';
import { ackButtons, alertRow, statusBar, tile } from './widgets.js';
import { mountSiteActions } from './site-actions.js';

/** The contract's sort keys, typed against it; a value import would pull zod into the browser bundle. */
const RIG_SORT_KEYS: readonly RigSortKey[] = ['rig', 'status', 'model', 'firmware', 'hashrate', 'nameplate_pct', 'power', 'efficiency', 'temp', 'uptime', 'last_seen'];
const PCT_MAX = ['98', '95', '90', '80', '50'];
const EFF_MIN = ['20', '25', '30', '35'];

/** Live table refresh at most this often: a 100,000-rig site re-sorts on the server for each refresh. */
const REFRESH_MS = 5000;

function readQuery(q: URLSearchParams): TableQuery {
  const sort = q.get('sort');
  return {
    sort: sort && (RIG_SORT_KEYS as readonly string[]).includes(sort) ? (sort as RigSortKey) : 'status',
    dir: q.get('dir') === 'desc' ? 'desc' : 'asc',
    status: q.get('status') ?? '',
    model: q.get('model') ?? '',
    firmware: q.get('firmware') ?? '',
    q: q.get('q') ?? '',
    pct_max: PCT_MAX.includes(q.get('pct_max') ?? '') ? (q.get('pct_max') as string) : '',
    eff_min: EFF_MIN.includes(q.get('eff_min') ?? '') ? (q.get('eff_min') as string) : '',
  };
}

function options(counts: FacetCounts, selected: string, all: string): string {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const keys = Object.keys(counts).sort();
  if (selected && !keys.includes(selected)) keys.push(selected);
  return `<option value="">${all} (${fmtNum(total, 0)})</option>` + keys.map((k) => `<option value="${h(k)}" ${k === selected ? 'selected' : ''}>${h(k)} (${fmtNum(counts[k] ?? 0, 0)})</option>`).join('');
}

/** Site view: site totals, hashrate and power history, and the rigs table (server-side paging, virtual rows). */
export const siteView: View = (root, params, query) => {
  const siteId = params.id as string;
  let range: RangeKey = parseRange(query.get('range'));
  let tq = readQuery(query);
  root.innerHTML = `
    <section class="page site">
      <div class="page-head"><div class="crumbs"><a href="/">Fleet</a> ›</div><h1 id="site-name">${h(siteId)}</h1><span class="muted" id="site-id">${h(siteId)}</span></div>
      <div class="tiles" id="tiles"></div>
      <div id="economics"></div>
      <div class="panel-head"><h2>History</h2><div id="range"></div></div>
      <div class="charts two"><div id="chart-hashrate"></div><div id="chart-power"></div></div>
      <div class="panel" id="site-alerts-panel" hidden><h2>Open alerts at this site <a href="/alerts?site=${h(siteId)}" class="more">all alerts here →</a></h2>
        <table class="grid alerts compact" id="site-alerts"><tbody></tbody></table></div>
      <div class="panel">
        <div class="toolbar" id="filters">
          <input type="search" id="q" placeholder="Search rig, model, firmware, issue…  ( / )" value="${h(tq.q)}" aria-label="Search rigs" />
          <label>Status <select id="status"></select></label>
          <label>Model <select id="model"></select></label>
          <label>Firmware <select id="firmware"></select></label>
          <label>Nameplate <select id="pct_max"><option value="">any %</option>${PCT_MAX.map((v) => `<option value="${v}" ${v === tq.pct_max ? 'selected' : ''}>under ${v} %</option>`).join('')}</select></label>
          <label>Efficiency <select id="eff_min"><option value="">any J/TH</option>${EFF_MIN.map((v) => `<option value="${v}" ${v === tq.eff_min ? 'selected' : ''}>${v} J/TH or worse</option>`).join('')}</select></label>
          <a class="btn ghost" id="rigs-csv" data-testid="rigs-csv" download>Export CSV</a>
          <span class="muted" id="matched" data-testid="matched"></span>
          <button type="button" class="btn ghost" id="clear">Clear filters</button>
        </div>
        <div id="table"></div>
      </div>
      <div class="panel" id="site-actions"></div>
    </section>`;
  const $ = <T extends HTMLElement = HTMLElement>(sel: string): T => root.querySelector(sel) as T;
  const offActions = mountSiteActions($('#site-actions'), siteId);

  const hr = timeChart($('#chart-hashrate'), { title: 'Hashrate', unit: 'PH/s', series: [{ label: 'Hashrate', color: '#58a6ff' }], digits: 2 });
  const pw = timeChart($('#chart-power'), { title: 'Power', unit: 'MW', series: [{ label: 'Power', color: '#f0883e' }], digits: 2 });
  let loadSeq = 0;
  let disposed = false;
  const loadHistory = async (): Promise<void> => {
    const seq = ++loadSeq;
    const loaded = await Promise.all([loadSeries('sites', [siteId], 'hashrate_ths', range), loadSeries('sites', [siteId], 'power_kw', range)]).catch((err: Error) => err);
    if (seq !== loadSeq || disposed) return;
    if (loaded instanceof Error) {
      hr.showError(loaded.message);
      pw.showError(loaded.message);
      return;
    }
    const [a, b] = loaded;
    hr.setData(a.xs, a.ys.map((s) => s.map((v) => (v === null ? null : v / 1000))));
    pw.setData(b.xs, b.ys.map((s) => s.map((v) => (v === null ? null : v / 1000))));
  };

  const syncUrl = (): void => {
    const q = new URLSearchParams();
    if (range !== 'live') q.set('range', range);
    for (const [k, v] of Object.entries(tq)) if (v && !(k === 'sort' && v === 'status') && !(k === 'dir' && v === 'asc')) q.set(k, v);
    setQuery(q);
  };
  rangeBar($('#range'), range, (next) => {
    range = next;
    syncUrl();
    void loadHistory();
  });

  const table = new RigTable($('#table'), siteId, tq, (sort, dir) => apply({ ...tq, sort, dir }));
  table.onPage = (page: RigPage) => {
    $('#status').innerHTML = options(page.facets.status, tq.status, 'All statuses');
    $('#model').innerHTML = options(page.facets.model, tq.model, 'All models');
    $('#firmware').innerHTML = options(page.facets.firmware, tq.firmware, 'All firmware');
    const matched = $('#matched');
    matched.textContent = `${fmtNum(page.matched, 0)} of ${fmtNum(page.total, 0)} rigs`;
    matched.dataset.matched = String(page.matched);
    $<HTMLAnchorElement>('#rigs-csv').href = table.csvUrl();
  };
  const apply = (next: TableQuery): void => {
    tq = next;
    syncUrl();
    void table.setQuery(tq).catch(() => undefined);
  };
  let searchTimer = 0;
  $<HTMLInputElement>('#q').addEventListener('input', (e) => {
    clearTimeout(searchTimer);
    const value = (e.target as HTMLInputElement).value;
    searchTimer = window.setTimeout(() => apply({ ...tq, q: value.trim() }), 250);
  });
  for (const key of ['status', 'model', 'firmware', 'pct_max', 'eff_min'] as const) {
    $<HTMLSelectElement>(`#${key}`).addEventListener('change', (e) => apply({ ...tq, [key]: (e.target as HTMLSelectElement).value }));
  }
  $('#clear').addEventListener('click', () => {
    $<HTMLInputElement>('#q').value = '';
    $<HTMLSelectElement>('#pct_max').value = '';
    $<HTMLSelectElement>('#eff_min').value = '';
    apply({ ...tq, status: '', model: '', firmware: '', q: '', pct_max: '', eff_min: '' });
  });
  // '/' focuses the search, as in most operator tools.
  const onKey = (event: KeyboardEvent): void => {
    if (event.key !== '/' || (event.target as HTMLElement).closest('input, select, textarea')) return;
    event.preventDefault();
    $<HTMLInputElement>('#q').focus();
  };
  document.addEventListener('keydown', onKey);
  $('#table').addEventListener('click', (event) => {
    const target = event.target as HTMLElement;
    if (target.closest('a')) return;
    const rig = target.closest<HTMLElement>('.vrow[data-rig]')?.dataset.rig;
    if (rig) navigate(`/rigs/${encodeURIComponent(rig)}`);
  });

  const renderSite = (s: SiteRollup): void => {
    $('#site-name').textContent = s.name;
    document.title = `${s.name} · rigline`;
    $('#tiles').innerHTML = [
      tile('Hashrate', fmtHashrate(s.hashrate_ths), { id: 'site-hashrate', raw: s.hashrate_ths }),
      tile('Power', fmtPower(s.power_kw), { id: 'site-power', raw: s.power_kw }),
      tile('Efficiency', fmtOrDash(s.efficiency_jth, 1, 'J/TH'), { id: 'site-efficiency', raw: s.efficiency_jth }),
      tile('Rigs', fmtNum(s.rigs.total, 0), { id: 'site-rigs', raw: s.rigs.total, sub: statusBar(s.rigs) }),
      tile('Degraded', fmtNum(s.rigs.degraded, 0), { id: 'site-degraded', raw: s.rigs.degraded, tone: s.rigs.degraded ? 'warn' : '' }),
      tile('Offline', fmtNum(s.rigs.offline, 0), { id: 'site-offline', raw: s.rigs.offline, tone: s.rigs.offline ? 'bad' : '' }),
      tile('GPU utilization', fmtOrDash(s.gpus.utilization_pct, 0, '%'), { id: 'site-gpu', raw: s.gpus.utilization_pct, sub: `${s.gpus.online} of ${s.gpus.total} GPUs` }),
    ].join('');
  };

  let lastRefresh = Date.now();
  const onFleet = (): void => {
    const s = live.fleet?.sites.find((x) => x.id === siteId);
    if (!s) return;
    renderSite(s);
    if (range === 'live' && live.fleet) {
      hr.append(live.fleet.ts, [s.hashrate_ths / 1000], RANGES.live.fromMs);
      pw.append(live.fleet.ts, [s.power_kw / 1000], RANGES.live.fromMs);
    }
    if (Date.now() - lastRefresh >= REFRESH_MS) {
      lastRefresh = Date.now();
      void table.refresh().catch(() => undefined);
    }
  };

  /** The site's active alerts, newest critical first, at most 6: the alerts view has the rest. */
  const renderAlerts = (): void => {
    const alerts = [...live.activeAlerts.values()]
      .filter((a) => a.site === siteId && a.state === 'open')
      .sort((a, b) => (a.severity === b.severity ? b.opened_at - a.opened_at : a.severity === 'critical' ? -1 : 1));
    $('#site-alerts-panel').hidden = alerts.length === 0;
    $('#site-alerts tbody').innerHTML = alerts.slice(0, 6).map((a) => alertRow(a, { showTarget: true })).join('');
  };
  renderAlerts();
  const renderAlertsSoon = perFrame(renderAlerts);
  const offAlerts = [live.onAlert.on(renderAlertsSoon), live.onAlertsLoaded.on(renderAlertsSoon)];
  const offAck = ackButtons(root);

  if (live.fleet) onFleet();
  void table.setQuery(tq).catch((err: Error) => {
    $('#table').innerHTML = `<div class="empty">${h(err.message)}</div>`;
  });
  void loadHistory();
  const off = live.onFleet.on(onFleet);
  const offEconomics = mountEconomics($('#economics'), siteId);
  return () => {
    offActions();
    disposed = true;
    offEconomics();
    document.removeEventListener('keydown', onKey);
    off();
    offAlerts.forEach((o) => o());
    renderAlertsSoon.cancel();
    offAck();
    clearTimeout(searchTimer);
    table.destroy();
    hr.destroy();
    pw.destroy();
    document.title = 'rigline';
  };
};
