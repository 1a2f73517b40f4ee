import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, FleetUpdate, ServerToClientEvents, SiteRollup } from '../../server/contract/index.js';
import { escapeHtml, fmtHashrate, fmtOrDash, fmtPower } from './format.js';
import './style.css';

const app = document.querySelector<HTMLDivElement>('#app') as HTMLDivElement;
app.innerHTML = `
  <header><h1>rigline</h1><span id="conn" class="conn down">connecting…</span></header>
  <section class="tiles" id="tiles"></section>
  <table id="sites"><thead><tr>
    <th>Site</th><th>Rigs</th><th>Online</th><th>Degraded</th><th>Offline</th>
    <th>Hashrate</th><th>Power</th><th>Efficiency</th><th>GPUs</th><th>GPU util.</th>
  </tr></thead><tbody></tbody></table>`;

function tile(label: string, value: string, id: string): string {
  return `<div class="tile"><div class="label">${label}</div><div class="value" data-testid="${id}">${value}</div></div>`;
}

function siteRow(s: SiteRollup): string {
  return `<tr data-site="${escapeHtml(s.id)}"><td>${escapeHtml(s.name)}</td><td>${s.rigs.total}</td><td>${s.rigs.online}</td>
    <td>${s.rigs.degraded}</td><td>${s.rigs.offline}</td><td>${fmtHashrate(s.hashrate_ths)}</td><td>${fmtPower(s.power_kw)}</td>
    <td>${fmtOrDash(s.efficiency_jth, 1, 'J/TH')}</td><td>${s.gpus.online}/${s.gpus.total}</td>
    <td>${fmtOrDash(s.gpus.utilization_pct, 0, '%')}</td></tr>`;
}

function render(update: FleetUpdate): void {
  const f = update.fleet;
  (document.querySelector('#tiles') as HTMLElement).innerHTML = [
    tile('Hashrate', fmtHashrate(f.hashrate_ths), 'hashrate'),
    tile('Power', fmtPower(f.power_kw), 'power'),
    tile('Efficiency', fmtOrDash(f.efficiency_jth, 1, 'J/TH'), 'efficiency'),
    tile('Rigs online', `${f.rigs.online + f.rigs.degraded} / ${f.rigs.total}`, 'rigs-online'),
    tile('Degraded', String(f.rigs.degraded), 'rigs-degraded'),
    tile('Offline', String(f.rigs.offline), 'rigs-offline'),
    tile('GPU util.', fmtOrDash(f.gpus.utilization_pct, 0, '%'), 'gpu-util'),
  ].join('');
  (document.querySelector('#sites tbody') as HTMLElement).innerHTML = update.sites.map(siteRow).join('');
}

const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io();
const conn = document.querySelector('#conn') as HTMLElement;
socket.on('connect', () => {
  conn.textContent = 'live';
  conn.className = 'conn up';
});
socket.on('disconnect', () => {
  conn.textContent = 'disconnected';
  conn.className = 'conn down';
});
socket.on('fleet', render);
