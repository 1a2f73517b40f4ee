import type { Alert, AsicSample, GpuSample, RigView } from '../../../server/contract/index.js';
import { fmtAlgoRate } from '../algo.js';
import { api, ApiFailure } from '../api.js';
import { loadSeries, PALETTE, parseRange, RANGES, rangeBar, timeChart, type RangeKey, type TimeChart } from '../charts.js';
import { fmtAgo, fmtDuration, fmtNum, fmtTime, h } from '../format.js';
import { live } from '../live.js';
import { setQuery, type View } from '../router.js';
import { inferencePanel } from './inference-panel.js';
import { ackButtons, alertRow, statusPill, tile } from './widgets.js';
import { mountRigActions } from './rig-actions.js';

const PROVENANCE: Record<string, string> = {
  measured: 'measured by a meter or the GPU driver',
  miner: 'reported by the miner',
  nameplate: 'nameplate rating, not measured',
  estimated: 'estimated from hashrate and the model’s J/TH',
};

const temp = (t: number | null, warn: number, bad: number): string =>
  t === null ? '—' : `<span class="${t >= bad ? 'bad' : t >= warn ? 'warn' : ''}">${t.toFixed(1)} °C</span>`;

function asicSections(s: AsicSample): string {
  const boards = s.boards
    .map((b) => {
      const missing = b.chips !== null && b.expected_chips !== null ? b.expected_chips - b.chips : 0;
      const rate = s.algorithm && s.algorithm !== 'sha256' ? fmtAlgoRate(b.algo_hashrate, s.algo_hashrate_unit) : `${fmtNum(b.hashrate_ths, 2)} TH/s`;
      return `<tr class="${b.hashrate_ths === 0 || missing > 0 ? 'problem' : ''}"><td class="left">Board ${b.index}</td><td>${rate}</td>
        <td>${temp(b.temp_c, 75, 90)}</td><td>${temp(b.chip_temp_c, 85, 95)}</td>
        <td class="${missing > 0 ? 'bad' : ''}">${b.chips ?? '—'} / ${b.expected_chips ?? '—'}${missing > 0 ? ` (${missing} missing)` : ''}</td></tr>`;
    })
    .join('');
  const fans = s.fans_rpm.map((f, i) => `<span class="fan ${f === 0 ? 'bad' : ''}">Fan ${i}: ${f === null ? '—' : `${fmtNum(f, 0)} rpm`}</span>`).join('');
  const pools = s.pools
    .map((p) => {
      const total = (p.accepted ?? 0) + (p.rejected ?? 0);
      const rej = total > 0 && p.rejected !== null ? (100 * p.rejected) / total : null;
      return `<tr><td class="left wrap">${h(p.url)}${p.active ? ' <span class="pill online">active</span>' : ''}</td><td class="left wrap">${h(p.user ?? '—')}</td>
        <td class="left"><span class="pill ${p.status === 'alive' ? 'online' : 'offline'}">${p.status}</span></td>
        <td>${fmtNum(p.accepted, 0)}</td><td>${fmtNum(p.rejected, 0)}</td><td>${fmtNum(p.stale, 0)}</td><td class="${rej !== null && rej > 5 ? 'bad' : ''}">${rej === null ? '—' : `${rej.toFixed(2)}%`}</td></tr>`;
    })
    .join('');
  return `
    <div class="cols">
      <div class="panel"><h2>Hashboards</h2><table class="grid" id="boards"><thead><tr><th class="left">Board</th><th>Hashrate</th><th>Board temp</th><th>Chip temp</th><th>Chips</th></tr></thead><tbody>${boards || '<tr><td class="left" colspan="5">No hashboards reported</td></tr>'}</tbody></table>
        <div class="fans">${fans || '<span class="muted">No fans reported</span>'}</div></div>
      <div class="panel"><h2>Pools and shares</h2><table class="grid" id="pools"><thead><tr><th class="left">Pool</th><th class="left">Worker</th><th class="left">Status</th><th>Accepted</th><th>Rejected</th><th>Stale</th><th>Reject rate</th></tr></thead><tbody>${pools || '<tr><td class="left" colspan="7">No pools reported</td></tr>'}</tbody></table></div>
    </div>`;
}

function gpuSection(s: GpuSample): string {
  const rows = s.gpus
    .map((g) => {
      const memPct = g.memory_used_mib !== null && g.memory_total_mib ? (100 * g.memory_used_mib) / g.memory_total_mib : null;
      const problem = g.last_xid !== null || (g.ecc_uncorrected ?? 0) > 0;
      return `<tr class="${problem ? 'problem' : ''}" data-gpu="${g.index}"><td class="left">GPU ${g.index}${g.mig ? ' <span class="pill">MIG</span>' : ''}</td><td class="left">${h(g.name ?? '—')}</td>
        <td><div class="meter"><span style="width:${g.utilization_pct ?? 0}%"></span></div>${fmtNum(g.utilization_pct, 0)}%</td>
        <td>${memPct === null ? '—' : `${fmtNum((g.memory_used_mib as number) / 1024, 1)} / ${fmtNum((g.memory_total_mib as number) / 1024, 0)} GiB`}</td>
        <td>${fmtNum(g.power_w, 0)} / ${fmtNum(g.power_limit_w, 0)} W</td><td>${temp(g.temp_c, 80, 88)}</td><td>${fmtNum(g.sm_clock_mhz, 0)} MHz</td>
        <td class="${(g.ecc_uncorrected ?? 0) > 0 ? 'bad' : ''}">${g.ecc_corrected ?? '—'} / ${g.ecc_uncorrected ?? '—'}</td>
        <td class="${g.last_xid !== null ? 'bad' : ''}">${g.last_xid === null ? '—' : `Xid ${g.last_xid}`}</td></tr>`;
    })
    .join('');
  return `<div class="panel"><h2>GPUs <span class="muted">${h(s.host_model ?? '')} · driver ${h(s.driver_version ?? '—')}</span></h2>
    <table class="grid" id="gpus"><thead><tr><th class="left">GPU</th><th class="left">Name</th><th>Utilization</th><th>Memory</th><th>Power / limit</th><th>Temp</th><th>SM clock</th><th>ECC corr. / uncorr.</th><th>Last Xid</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

/** Rig view: live state of one rig (boards, fans, pools or GPUs, power with provenance), its alerts and history. */
export const rigView: View = (root, params, query) => {
  const rigId = params.id as string;
  let range: RangeKey = parseRange(query.get('range'));
  let charts: TimeChart[] = [];
  let partCharts: TimeChart[] = [];
  let parts = { boards: 0, fans: 0 };
  let kind: 'asic' | 'gpu' | null = null;
  let intervalS = 0;
  let disposed = false;
  root.innerHTML = `<section class="page rig"><div class="page-head"><h1 id="rig-title">${h(rigId)}</h1></div><div id="rig-body"><div class="loading">Loading…</div></div>
    <div class="panel-head"><h2>History</h2><div id="range"></div></div><div class="charts three" id="rig-charts"></div>
    <div class="charts three" id="part-charts"></div>
    <div class="panel"><h2>Alerts on this rig</h2><table class="grid alerts compact" id="rig-alerts"><tbody></tbody></table></div>
    <div class="panel" id="rig-actions"></div></section>`;
  const $ = (sel: string): HTMLElement => root.querySelector(sel) as HTMLElement;
  const offActions = mountRigActions($('#rig-actions'), rigId);

  const metrics = (): { metric: string; title: string; unit: string; color: string; scale?: number }[] =>
    kind === 'gpu'
      ? [
          { metric: 'gpu_util_pct', title: 'GPU utilization', unit: '%', color: '#3fb950' },
          { metric: 'power_kw', title: 'Power', unit: 'kW', color: '#f0883e' },
          { metric: 'temp_c', title: 'Hottest GPU', unit: '°C', color: '#ff7b72' },
          { metric: 'tokens_per_s', title: 'Generated tokens / s', unit: 'tok/s', color: '#d2a8ff' },
        ]
      : [
          { metric: 'hashrate_ths', title: 'Hashrate', unit: 'TH/s', color: '#58a6ff' },
          { metric: 'power_kw', title: 'Power', unit: 'kW', color: '#f0883e' },
          // The overheat alert compares the hottest board or chip sensor: the chart plots the same figure.
          { metric: 'temp_c', title: 'Hottest board or chip', unit: '°C', color: '#ff7b72' },
        ];
  const loadHistory = async (): Promise<void> => {
    const list = metrics();
    if (charts.length === 0) {
      $('#rig-charts').innerHTML = list.map((_, i) => `<div id="rc-${i}"></div>`).join('');
      charts = list.map((m, i) => timeChart($(`#rc-${i}`), { title: m.title, unit: m.unit, series: [{ label: m.title, color: m.color }], digits: m.unit === 'kW' ? 2 : 1, height: 180 }));
    }
    const data = await Promise.all(list.map((m) => loadSeries('rigs', [rigId], m.metric, range === 'live' ? '1h' : range, intervalS))).catch((err: Error) => err);
    if (disposed) return;
    if (data instanceof Error) {
      charts.forEach((c) => c.showError(data.message));
      return;
    }
    data.forEach((d, i) => charts[i]?.setData(d.xs, d.ys));
    if (kind === 'asic') await loadParts();
  };
  /** Per-hashboard hashrate and chip / board temperature, and fan speeds, from the store's 1-minute rollups. */
  const PART_CHARTS = [
    { part: 'board', metric: 'hashrate_ths', title: 'Hashrate per board', unit: 'TH/s', prefix: 'Board' },
    { part: 'board', metric: 'chip_temp_c', title: 'Chip temperature per board', unit: '°C', prefix: 'Board' },
    { part: 'board', metric: 'temp_c', title: 'Board temperature per board', unit: '°C', prefix: 'Board' },
    { part: 'fan', metric: 'fan_rpm', title: 'Fan speed', unit: 'rpm', prefix: 'Fan' },
  ] as const;
  const loadParts = async (): Promise<void> => {
    const r = RANGES[range === 'live' ? '1h' : range];
    const step = Math.max(r.stepS, 60);
    const to = Date.now();
    const answers = await Promise.all(
      PART_CHARTS.map((c) =>
        api<{ supported: boolean; series: { id: string; points: { ts: number; value: number | null }[] }[] }>(
          `/api/rigs/${encodeURIComponent(rigId)}/components?part=${c.part}&metric=${c.metric}&from=${to - r.fromMs}&to=${to}&step=${step}`,
        ),
      ),
    ).catch(() => null);
    if (disposed || !answers || !answers[0]?.supported) return;
    if (partCharts.length === 0) {
      $('#part-charts').innerHTML = PART_CHARTS.map((_, i) => `<div id="pc-${i}" data-testid="part-chart-${PART_CHARTS[i]?.metric}"></div>`).join('');
      partCharts = PART_CHARTS.map((c, i) => {
        const n = c.part === 'fan' ? parts.fans : parts.boards;
        const series = Array.from({ length: n }, (_, k) => ({ label: `${c.prefix} ${k}`, color: PALETTE[k % PALETTE.length] as string }));
        return timeChart($(`#pc-${i}`), { title: c.title, unit: c.unit, series, digits: c.unit === 'rpm' ? 0 : 1, height: 180 });
      });
    }
    answers.forEach((a, i) => {
      const c = PART_CHARTS[i];
      if (!c) return;
      const n = c.part === 'fan' ? parts.fans : parts.boards;
      const byId = new Map(a.series.map((x) => [x.id, x.points]));
      const xs = a.series[0]?.points.map((p) => p.ts) ?? [];
      const ys = Array.from({ length: n }, (_, k) => (byId.get(`${c.part === 'fan' ? 'f' : 'b'}${k}`) ?? []).map((p) => p.value));
      partCharts[i]?.setData(xs, ys);
    });
  };
  rangeBar($('#range'), range, (next) => {
    range = next;
    setQuery(new URLSearchParams(next === 'live' ? '' : `range=${next}`));
    void loadHistory();
  });

  const render = (r: RigView): void => {
    const first = kind === null;
    kind = r.kind;
    intervalS = r.interval_s;
    if (r.kind === 'asic') parts = { boards: r.boards.length, fans: r.fans_rpm.length };
    const offline = r.status === 'offline';
    document.title = `${r.rig} · rigline`;
    $('#rig-title').innerHTML = `${h(r.rig)} ${statusPill(r.status)}`;
    const siteName = live.fleet?.sites.find((s) => s.id === r.site)?.name ?? r.site;
    const model = r.kind === 'asic' ? r.model : r.host_model;
    const firmware = r.kind === 'asic' ? r.firmware : r.driver_version;
    const hashrate = r.kind === 'asic' ? (r.hashrate_5s_ths ?? r.hashrate_avg_ths) : null;
    const tiles =
      r.kind === 'asic'
        ? [
            r.algorithm && r.algorithm !== 'sha256'
              ? tile('Hashrate', fmtAlgoRate(r.algo_hashrate_5s ?? r.algo_hashrate_avg, r.algo_hashrate_unit), { id: 'rig-hashrate', sub: `${h(r.algorithm)} · not bitcoin, left out of site totals` })
              : tile('Hashrate', `${fmtNum(hashrate, 1)} <small>TH/s</small>`, { id: 'rig-hashrate', raw: hashrate, sub: r.nameplate_ths ? `nameplate ${fmtNum(r.nameplate_ths, 0)} TH/s · avg ${fmtNum(r.hashrate_avg_ths, 1)}` : '' }),
            tile('Efficiency', hashrate && r.power_w !== null ? `${(r.power_w / hashrate).toFixed(1)} <small>J/TH</small>` : '—', { id: 'rig-eff' }),
            tile('Uptime', fmtDuration(r.status === 'offline' ? null : r.uptime_s), { id: 'rig-uptime' }),
          ]
        : [
            tile('Tokens / s', fmtNum(r.tokens_per_s, 0), { id: 'rig-tokens', raw: r.tokens_per_s }),
            tile('GPUs', String(r.gpus.length), { id: 'rig-gpus', raw: r.gpus.length }),
          ];
    $('#rig-body').innerHTML = `
      <div class="crumbs"><a href="/">Fleet</a> › <a href="/sites/${h(r.site)}">${h(siteName)}</a> › ${h(r.rig)}</div>
      <div class="facts"><span>${h(model ?? 'unknown model')}</span><span class="muted">${r.kind === 'asic' ? 'firmware' : 'driver'} ${h(firmware ?? '—')}</span>
        <span class="muted">last sample ${fmtAgo(r.last_seen)}</span><span class="muted">every ${r.interval_s} s</span></div>
      ${r.status_details.length ? `<div class="reasons ${r.status}" data-testid="reasons">${r.status_details.map((x) => `<div>${h(x.message)} <span class="since" title="${new Date(x.since).toISOString()}">· since ${fmtTime(x.since)}</span></div>`).join('')}</div>` : ''}
      ${r.errors.length ? `<div class="reasons errors">${r.errors.map((x) => `<div>${h(x)}</div>`).join('')}</div>` : ''}
      ${offline ? `<div class="last-seen" data-testid="last-seen">Offline: the figures below are from the last sample, ${fmtTime(r.last_seen)} (${fmtAgo(r.last_seen)}).</div>` : ''}
      <div class="tiles ${offline ? 'stale-figures' : ''}" data-stale="${offline}">${tiles.join('')}
        ${tile('Power', r.power_w === null ? '—' : `${fmtNum(r.power_w / 1000, 2)} <small>kW</small>`, { id: 'rig-power', raw: r.power_w, sub: r.power_source ? `<span class="prov ${r.power_source}" title="${PROVENANCE[r.power_source]}">${r.power_source}</span> ${PROVENANCE[r.power_source]}` : 'no power figure' })}
      </div>
      ${r.kind === 'asic' ? asicSections(r) : `${inferencePanel(r.inference)}${gpuSection(r)}`}`;
    if (first) void loadHistory();
  };

  const load = async (): Promise<void> => {
    try {
      const r = await api<RigView>(`/api/rigs/${encodeURIComponent(rigId)}`);
      if (!disposed) render(r);
    } catch (err) {
      if (disposed) return;
      const text = err instanceof ApiFailure && err.code === 'rig_not_found' ? `No rig ${h(rigId)} has reported.` : h((err as Error).message);
      $('#rig-body').innerHTML = `<div class="empty">${text} <a href="/">Back to the fleet</a></div>`;
    }
  };
  const loadAlerts = async (): Promise<void> => {
    const alerts = await api<Alert[]>(`/api/alerts?state=all&rig=${encodeURIComponent(rigId)}&limit=20`).catch(() => []);
    if (disposed) return;
    $('#rig-alerts tbody').innerHTML = alerts.length ? alerts.map((a) => alertRow(a, { showTarget: false })).join('') : '<tr><td class="left ok-text">No alerts for this rig.</td></tr>';
  };

  void load();
  void loadAlerts();
  // The rig is re-read on fleet pushes (at most every 2 s): no per-site socket room, which would ship a whole site.
  let last = 0;
  const offs = [
    live.onFleet.on(() => {
      if (Date.now() - last < 2000) return;
      last = Date.now();
      void load();
    }),
    live.onAlert.on((a) => {
      if (a.rig === rigId) void loadAlerts();
    }),
  ];
  const offAck = ackButtons(root);
  return () => {
    offActions();
    disposed = true;
    offs.forEach((off) => off());
    offAck();
    charts.forEach((c) => c.destroy());
    document.title = 'rigline';
  };
};
