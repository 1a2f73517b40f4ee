import type { FleetUpdate, SiteRollup } from '../../../server/contract/index.js';
import { loadSeries, PALETTE, parseRange, rangeBar, RANGES, timeChart, type RangeKey, type TimeChart } from '../charts.js';
import { fmtHashrate, fmtNum, fmtOrDash, fmtPower, h } from '../format.js';
import { live, perFrame } from '../live.js';
import { setQuery, type View } from '../router.js';
import { mountEconomics } from './economics-panel.js';
import { ackButtons, alertRow, statusBar, tile } from './widgets.js';

/** Charts show at most this many sites (largest first); the table below lists every site. */
const MAX_CHART_SITES = 10;

/** Fleet overview: totals, live charts per site, the sites table and the newest open alerts. */
export const overviewView: View = (root, _params, query) => {
  let range: RangeKey = parseRange(query.get('range'));
  root.innerHTML = `
    <section class="page overview">
      <div class="page-head"><h1>Fleet</h1><span class="muted" id="updated"></span></div>
      <div class="tiles" id="tiles"><div class="loading">Waiting for the first fleet update…</div></div>
      <div id="economics"></div>
      <div class="panel-head"><h2>Hashrate and power by site</h2><div id="range"></div></div>
      <div class="charts two"><div id="chart-hashrate"></div><div id="chart-power"></div></div>
      <div class="panel"><h2>Sites</h2><table class="grid" id="sites"><thead><tr>
          <th class="left">Site</th><th class="left">Rigs</th><th>Online</th><th>Degraded</th><th>Offline</th>
          <th>Hashrate</th><th>Power</th><th>Efficiency</th><th>GPUs</th><th>GPU util.</th><th>Open alerts</th></tr></thead><tbody></tbody></table></div>
      <div class="panel"><h2>Open alerts <a href="/alerts" class="more">all alerts →</a></h2>
        <table class="grid alerts compact" id="alerts"><tbody></tbody></table></div>
    </section>`;
  const $ = (sel: string): HTMLElement => root.querySelector(sel) as HTMLElement;

  let siteIds: string[] = [];
  let charts: { hashrate: TimeChart; power: TimeChart } | null = null;
  let loadSeq = 0;

  const buildCharts = (sites: SiteRollup[]): void => {
    charts?.hashrate.destroy();
    charts?.power.destroy();
    const shown = [...sites].sort((a, b) => b.power_kw - a.power_kw).slice(0, MAX_CHART_SITES);
    siteIds = shown.map((s) => s.id);
    const series = shown.map((s, i) => ({ label: s.name, color: PALETTE[i % PALETTE.length] as string }));
    charts = {
      hashrate: timeChart($('#chart-hashrate'), { title: 'Hashrate', unit: 'PH/s', series, digits: 2 }),
      power: timeChart($('#chart-power'), { title: 'Power', unit: 'MW', series, digits: 2 }),
    };
    void loadHistory();
  };

  const loadHistory = async (): Promise<void> => {
    if (!charts || siteIds.length === 0) return;
    const seq = ++loadSeq;
    const loaded = await Promise.all([loadSeries('sites', siteIds, 'hashrate_ths', range), loadSeries('sites', siteIds, 'power_kw', range)]).catch((err: Error) => err);
    if (seq !== loadSeq || !charts) return;
    if (loaded instanceof Error) {
      charts.hashrate.showError(loaded.message);
      charts.power.showError(loaded.message);
      return;
    }
    const [hr, pw] = loaded;
    charts.hashrate.setData(hr.xs, hr.ys.map((s) => s.map((v) => (v === null ? null : v / 1000))));
    charts.power.setData(pw.xs, pw.ys.map((s) => s.map((v) => (v === null ? null : v / 1000))));
  };

  rangeBar($('#range'), range, (next) => {
    range = next;
    const q = new URLSearchParams(location.search);
    if (next === 'live') q.delete('range');
    else q.set('range', next);
    setQuery(q);
    void loadHistory();
  });

  const render = (update: FleetUpdate): void => {
    const f = update.fleet;
    const reporting = f.rigs.online + f.rigs.degraded;
    $('#tiles').innerHTML = [
      tile('Hashrate', fmtHashrate(f.hashrate_ths), { id: 'hashrate', raw: f.hashrate_ths }),
      tile('Power', fmtPower(f.power_kw), { id: 'power', raw: f.power_kw }),
      tile('Efficiency', fmtOrDash(f.efficiency_jth, 1, 'J/TH'), { id: 'efficiency', raw: f.efficiency_jth }),
      tile('Rigs reporting', `${fmtNum(reporting, 0)} <small>/ ${fmtNum(f.rigs.total, 0)}</small>`, { id: 'rigs-total', raw: f.rigs.total, sub: statusBar(f.rigs) }),
      tile('Online', fmtNum(f.rigs.online, 0), { id: 'rigs-online', raw: f.rigs.online, tone: 'ok' }),
      tile('Degraded', fmtNum(f.rigs.degraded, 0), { id: 'rigs-degraded', raw: f.rigs.degraded, tone: f.rigs.degraded > 0 ? 'warn' : '' }),
      tile('Offline', fmtNum(f.rigs.offline, 0), { id: 'rigs-offline', raw: f.rigs.offline, tone: f.rigs.offline > 0 ? 'bad' : '' }),
      tile('GPU utilization', fmtOrDash(f.gpus.utilization_pct, 0, '%'), { id: 'gpu-util', raw: f.gpus.utilization_pct, sub: `${fmtNum(f.gpus.online, 0)} of ${fmtNum(f.gpus.total, 0)} GPUs online` }),
    ].join('');
    $('#sites tbody').innerHTML = update.sites
      .map(
        (s) => `<tr data-site="${h(s.id)}"><td class="left"><a href="/sites/${h(s.id)}">${h(s.name)}</a> <span class="muted">${h(s.id)}</span></td>
        <td class="left">${statusBar(s.rigs)}<span class="muted">${fmtNum(s.rigs.total, 0)}</span></td><td>${fmtNum(s.rigs.online, 0)}</td>
        <td class="${s.rigs.degraded ? 'warn' : ''}">${fmtNum(s.rigs.degraded, 0)}</td><td class="${s.rigs.offline ? 'bad' : ''}">${fmtNum(s.rigs.offline, 0)}</td>
        <td>${fmtHashrate(s.hashrate_ths)}</td><td>${fmtPower(s.power_kw)}</td><td>${fmtOrDash(s.efficiency_jth, 1, 'J/TH')}</td>
        <td>${s.gpus.online}/${s.gpus.total}</td><td>${fmtOrDash(s.gpus.utilization_pct, 0, '%')}</td>
        <td>${siteAlerts(s.id)}</td></tr>`,
      )
      .join('');
    $('#updated').textContent = `updated ${new Date(update.ts).toLocaleTimeString('en-GB')}`;
    const ids = [...update.sites].sort((a, b) => b.power_kw - a.power_kw).slice(0, MAX_CHART_SITES).map((s) => s.id);
    if (!charts || ids.join() !== siteIds.join()) buildCharts(update.sites);
    else if (range === 'live') {
      const byId = new Map(update.sites.map((s) => [s.id, s]));
      charts.hashrate.append(update.ts, siteIds.map((id) => (byId.get(id)?.hashrate_ths ?? 0) / 1000), RANGES.live.fromMs);
      charts.power.append(update.ts, siteIds.map((id) => (byId.get(id)?.power_kw ?? 0) / 1000), RANGES.live.fromMs);
    }
  };

  const siteAlerts = (id: string): string => {
    let critical = 0;
    let warning = 0;
    for (const a of live.activeAlerts.values()) {
      if (a.site !== id || a.state !== 'open') continue;
      if (a.severity === 'critical') critical++;
      else warning++;
    }
    if (critical + warning === 0) return '<span class="muted">0</span>';
    return `<a href="/alerts?site=${h(id)}" class="${critical ? 'bad' : 'warn'}">${critical + warning}</a>`;
  };

  const renderAlerts = (): void => {
    if (live.fleet) render(live.fleet);
    const alerts = [...live.activeAlerts.values()]
      .filter((a) => a.state === 'open')
      .sort((a, b) => (a.severity === b.severity ? b.opened_at - a.opened_at : a.severity === 'critical' ? -1 : 1))
      .slice(0, 8);
    $('#alerts tbody').innerHTML = alerts.length
      ? alerts.map((a) => alertRow(a, { showTarget: true })).join('')
      : '<tr><td class="left ok-text">No open alerts.</td></tr>';
  };

  if (live.fleet) render(live.fleet);
  renderAlerts();
  const renderAlertsSoon = perFrame(renderAlerts);
  const offs = [live.onFleet.on(render), live.onAlert.on(renderAlertsSoon), live.onAlertsLoaded.on(renderAlertsSoon)];
  const ackHandler = ackButtons(root);
  const offEconomics = mountEconomics($('#economics'), null);
  return () => {
    offEconomics();
    offs.forEach((off) => off());
    ackHandler();
    renderAlertsSoon.cancel();
    charts?.hashrate.destroy();
    charts?.power.destroy();
    charts = null;
  };
};
