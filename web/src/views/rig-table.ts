import type { RigPage, RigRow, RigSortKey } from '../../../server/contract/index.js';
import { algoBadge, fmtAlgoRate } from '../algo.js';
import { api } from '../api.js';
import { fmtDuration, fmtNum, h } from '../format.js';
import { statusPill } from './widgets.js';

export const ROW_HEIGHT = 34;
const PAGE = 200;
/** Rows rendered above and below the viewport so fast scrolling does not show blanks. */
const OVERSCAN = 20;

export interface TableQuery {
  sort: RigSortKey;
  dir: 'asc' | 'desc';
  status: string;
  model: string;
  firmware: string;
  q: string;
  /** '' or an upper bound on % of nameplate ("90": rigs under 90 % of their rating). */
  pct_max: string;
  /** '' or a lower bound on J/TH ("25": the least efficient rigs). */
  eff_min: string;
}

const COLUMNS: { key: RigSortKey | null; label: string; cls?: string; render: (r: RigRow) => string }[] = [
  { key: 'rig', label: 'Rig', cls: 'left', render: (r) => `<a href="/rigs/${h(r.rig)}">${h(r.rig)}</a>` },
  { key: 'status', label: 'Status', cls: 'left', render: (r) => statusPill(r.status) },
  { key: 'model', label: 'Model', cls: 'left', render: (r) => h(r.model ?? '—') },
  { key: 'firmware', label: 'Firmware', cls: 'left', render: (r) => `<span class="muted">${h(r.firmware ?? '—')}</span>` },
  {
    key: 'hashrate',
    label: 'Hashrate',
    render: (r) =>
      r.kind === 'gpu'
        ? `<span class="muted">${r.gpus ?? 0} GPUs · ${fmtNum(r.gpu_util_pct, 0)}%</span>`
        : r.algorithm && r.algorithm !== 'sha256'
          ? `<span class="muted">${fmtAlgoRate(r.algo_hashrate, r.algo_hashrate_unit)}</span> ${algoBadge(r.algorithm)}`
          : `${fmtNum(r.hashrate_ths, 1)} <small>TH/s</small>${r.nameplate_ths && r.hashrate_ths !== null ? ` <span class="muted">${((100 * r.hashrate_ths) / r.nameplate_ths).toFixed(0)}%</span>` : ''}`,
  },
  { key: 'nameplate_pct', label: '% plate', render: (r) => (r.nameplate_pct === null ? '—' : `<span class="${r.nameplate_pct < 90 ? 'warn' : ''}">${r.nameplate_pct.toFixed(0)}%</span>`) },
  { key: 'power', label: 'Power', render: (r) => `${fmtNum(r.power_kw, 2)} <small>kW</small>` },
  { key: 'efficiency', label: 'J/TH', render: (r) => fmtNum(r.efficiency_jth, 1) },
  { key: 'temp', label: 'Temp', render: (r) => (r.temp_c === null ? '—' : `<span class="${r.temp_c >= 85 ? 'bad' : r.temp_c >= 75 ? 'warn' : ''}">${r.temp_c.toFixed(0)} °C</span>`) },
  { key: 'uptime', label: 'Uptime', render: (r) => fmtDuration(r.uptime_s) },
  { key: null, label: 'Issues', cls: 'left issues', render: (r) => h(r.status_reasons.join('; ')) },
];

const GRID = 'minmax(150px,1.3fr) 100px minmax(130px,1.2fr) minmax(120px,1fr) 150px 70px 90px 70px 70px 100px minmax(160px,2fr)';

/**
 * A virtualized rigs table over GET /api/sites/:id/rigs: only the rows in view exist in the DOM, and only the
 * pages of 200 rows that cover them are fetched. Sorting and filtering run on the server.
 */
export class RigTable {
  private readonly viewport: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly rowsEl: HTMLElement;
  private readonly head: HTMLElement;
  private readonly pages = new Map<number, RigRow[]>();
  private readonly inflight = new Set<number>();
  private generation = 0;
  private matched = 0;
  private frame = 0;
  onPage: (page: RigPage) => void = () => undefined;

  constructor(
    el: HTMLElement,
    private readonly site: string,
    private query: TableQuery,
    private readonly onSort: (sort: RigSortKey, dir: 'asc' | 'desc') => void,
  ) {
    el.classList.add('vtable');
    el.innerHTML = `<div class="vhead" role="row"></div><div class="vbody" tabindex="0"><div class="vspacer"></div><div class="vrows" role="rowgroup"></div></div>`;
    this.head = el.querySelector('.vhead') as HTMLElement;
    this.viewport = el.querySelector('.vbody') as HTMLElement;
    this.spacer = el.querySelector('.vspacer') as HTMLElement;
    this.rowsEl = el.querySelector('.vrows') as HTMLElement;
    this.head.style.gridTemplateColumns = GRID;
    this.paintHead();
    this.head.addEventListener('click', (event) => {
      const key = (event.target as HTMLElement).closest<HTMLElement>('[data-sort]')?.dataset.sort as RigSortKey | undefined;
      if (!key) return;
      const dir = key === this.query.sort && this.query.dir === 'asc' ? 'desc' : key === this.query.sort ? 'asc' : key === 'rig' || key === 'model' || key === 'firmware' ? 'asc' : 'desc';
      this.onSort(key, dir);
    });
    this.viewport.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(this.viewport);
  }

  private paintHead(): void {
    this.head.innerHTML = COLUMNS.map((c) => {
      const active = c.key !== null && c.key === this.query.sort;
      const arrow = active ? (this.query.dir === 'asc' ? ' ▲' : ' ▼') : '';
      return `<div class="${c.cls ?? ''} ${c.key ? 'sortable' : ''} ${active ? 'sorted' : ''}" ${c.key ? `data-sort="${c.key}" role="columnheader" aria-sort="${active ? (this.query.dir === 'asc' ? 'ascending' : 'descending') : 'none'}"` : ''}>${c.label}${arrow}</div>`;
    }).join('');
  }

  /** New filters or sort: drop cached pages, go to the top, fetch the first page. */
  setQuery(query: TableQuery): Promise<void> {
    this.query = query;
    this.generation++;
    this.pages.clear();
    this.inflight.clear();
    this.viewport.scrollTop = 0;
    this.paintHead();
    return this.fetchPage(0);
  }

  /** Live refresh: re-fetch the pages in view (same filters), keeping the scroll position. */
  refresh(): Promise<void> {
    const [first, last] = this.visibleRange();
    const pages = new Set<number>();
    for (let p = Math.floor(first / PAGE); p <= Math.floor(Math.max(first, last - 1) / PAGE); p++) pages.add(p);
    if (pages.size === 0) pages.add(0);
    return Promise.all([...pages].map((p) => this.fetchPage(p, true))).then(() => undefined);
  }

  private url(page: number): string {
    const q = new URLSearchParams({ offset: String(page * PAGE), limit: String(PAGE), sort: this.query.sort, dir: this.query.dir });
    if (this.query.status) q.set('status', this.query.status);
    if (this.query.model) q.set('model', this.query.model);
    if (this.query.firmware) q.set('firmware', this.query.firmware);
    if (this.query.q) q.set('q', this.query.q);
    if (this.query.pct_max) q.set('pct_max', this.query.pct_max);
    if (this.query.eff_min) q.set('eff_min', this.query.eff_min);
    return `/api/sites/${encodeURIComponent(this.site)}/rigs?${q}`;
  }

  /** The CSV of every rig the current filters match, in the current order. */
  csvUrl(): string {
    const q = new URL(this.url(0), location.origin).searchParams;
    q.delete('offset');
    q.delete('limit');
    return `/api/sites/${encodeURIComponent(this.site)}/rigs.csv?${q}`;
  }

  private async fetchPage(page: number, force = false): Promise<void> {
    if (!force && (this.pages.has(page) || this.inflight.has(page))) return;
    const generation = this.generation;
    this.inflight.add(page);
    try {
      const result = await api<RigPage>(this.url(page));
      if (generation !== this.generation) return;
      this.pages.set(page, result.rows);
      this.matched = result.matched;
      this.spacer.style.height = `${this.matched * ROW_HEIGHT}px`;
      // As tall as the rows (a filtered table of 10 rigs has no empty acre below it), up to the CSS max-height.
      this.viewport.style.height = `${Math.max(2, this.matched) * ROW_HEIGHT + 2}px`;
      this.onPage(result);
      this.paint();
    } finally {
      if (generation === this.generation) this.inflight.delete(page);
    }
  }

  private visibleRange(): [number, number] {
    const top = this.viewport.scrollTop;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.matched, Math.ceil((top + this.viewport.clientHeight) / ROW_HEIGHT) + OVERSCAN);
    return [first, last];
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.paint();
    });
  }

  private paint(): void {
    const [first, last] = this.visibleRange();
    const html: string[] = [];
    for (let i = first; i < last; i++) {
      const page = Math.floor(i / PAGE);
      const row = this.pages.get(page)?.[i % PAGE];
      if (!row) {
        void this.fetchPage(page);
        html.push(`<div class="vrow pending" style="top:${i * ROW_HEIGHT}px;grid-template-columns:${GRID}"><div class="left muted">loading…</div></div>`);
        continue;
      }
      html.push(
        `<div class="vrow ${row.status}" role="row" data-rig="${h(row.rig)}" style="top:${i * ROW_HEIGHT}px;grid-template-columns:${GRID}">${COLUMNS.map((c) => `<div class="${c.cls ?? ''}">${c.render(row)}</div>`).join('')}</div>`,
      );
    }
    if (this.matched === 0 && this.pages.has(0)) html.push('<div class="vempty">No rigs match these filters.</div>');
    this.rowsEl.innerHTML = html.join('');
    this.rowsEl.dataset.rendered = String(html.length);
  }

  destroy(): void {
    this.generation++;
    if (this.frame) cancelAnimationFrame(this.frame);
  }
}
