import { mountPlanner } from './planner/page.js';
import { live, perFrame } from './live.js';
import { onNavigate, route, startRouter } from './router.js';
import { mountSession } from './session.js';
import { alertsView } from './views/alerts.js';
import { actionsView } from './views/actions.js';
import { overviewView } from './views/overview.js';
import { rigView } from './views/rig.js';
import { siteView } from './views/site.js';
import './style.css';

/** App shell: header with navigation, live indicator and alert badge; the router mounts one view below it. */
const app = document.querySelector<HTMLDivElement>('#app') as HTMLDivElement;
app.innerHTML = `
  <header class="topbar">
    <a href="/" class="brand" aria-label="rigline home"><span class="logo">◆</span> rigline</a>
    <nav>
      <a href="/" data-nav="fleet">Fleet</a>
      <a href="/alerts" data-nav="alerts">Alerts <span class="badge" id="alert-badge" hidden></span></a>
      <a href="/planner" data-nav="planner">Planner</a>
      <a href="/actions" data-nav="actions">Actions</a>
    </nav>
    <div class="spacer"></div>
    <div id="session" class="session"></div>
    <div id="conn" class="conn down" role="status" aria-live="polite" data-state="connecting"><span class="dot"></span><span class="text">Connecting…</span></div>
  </header>
  <main id="view"></main>`;

// The role decides which alert actions views offer, so the first view waits for it (one small request).
const sessionReady = mountSession(document.querySelector('#session') as HTMLElement);
const conn = document.querySelector('#conn') as HTMLElement;
function paintConnection(): void {
  const up = live.connected;
  const age = live.lastMessageAt ? Math.round((Date.now() - live.lastMessageAt) / 1000) : null;
  const stale = up && age !== null && age > 15;
  conn.className = `conn ${!up ? 'down' : stale ? 'stale' : 'up'}`;
  conn.dataset.state = !up ? 'disconnected' : stale ? 'stale' : 'live';
  (conn.querySelector('.text') as HTMLElement).textContent = !up
    ? 'Disconnected, reconnecting…'
    : stale
      ? `Live · no update for ${age} s`
      : 'Live';
}
live.onConnection.on(paintConnection);
setInterval(paintConnection, 1000);

const badge = document.querySelector('#alert-badge') as HTMLElement;
function paintBadge(): void {
  let open = 0;
  let critical = 0;
  for (const a of live.activeAlerts.values()) {
    if (a.state !== 'open') continue;
    open++;
    if (a.severity === 'critical') critical++;
  }
  badge.hidden = open === 0;
  badge.textContent = String(open);
  badge.className = `badge ${critical > 0 ? 'critical' : 'warning'}`;
  badge.title = `${open} open alert${open === 1 ? '' : 's'}`;
}
const paintBadgeSoon = perFrame(paintBadge);
live.onAlert.on(paintBadgeSoon);
live.onAlertsLoaded.on(paintBadgeSoon);

onNavigate((nav) => {
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a')) a.classList.toggle('active', a.dataset.nav === nav);
});

route('/', 'fleet', overviewView);
route('/sites/:id', 'fleet', siteView);
route('/rigs/:id', 'fleet', rigView);
route('/alerts', 'alerts', alertsView);
route('/planner', 'planner', (root) => mountPlanner(root));
route('/actions', 'actions', actionsView);
void sessionReady.finally(() => startRouter(document.querySelector('#view') as HTMLElement));
