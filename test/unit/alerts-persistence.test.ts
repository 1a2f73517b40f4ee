import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FleetModel } from '../../agents/sim/simulator.js';
import { pino } from 'pino';
import { AlertEngine, type AlertEvent, type FleetView } from '../../server/alerts/engine.js';
import { AlertStatePersister, loadAlertState, writeAlertState, type AlertStateFile } from '../../server/alerts/persistence.js';
import { startAlerts } from '../../server/alerts/service.js';
import { AlertWorkflow } from '../../server/alerts/workflow.js';
import { parseConfig } from '../../server/config/load.js';
import { AlertsConfigSchema } from '../../server/config/alerts-schema.js';
import type { Alert } from '../../server/contract/index.js';
import { waitFor } from '../helpers/server.js';
import { receiver } from '../helpers/webhook-receiver.js';

const T0 = Date.UTC(2026, 0, 1);
const model = new FleetModel({ sites: 1, rigsPerSite: 2, seed: 3, intervalMs: 5000, faultRate: 0, gpuEvery: 0, startMs: T0 });
const site = model.sites[0]!;
const rig = site.rigs[0]!.id;
const config = AlertsConfigSchema.parse({ rules: { overheat: { for_s: 0, clear_s: 10 } } });

function engineAt(clock: { t: number }) {
  const engine = new AlertEngine({ rules: config.rules, historyLimit: 100, siteCapacityKw: new Map(), now: () => clock.t });
  const events: { alert: Alert; event: AlertEvent }[] = [];
  engine.onChange((alert, event) => events.push({ alert, event }));
  return { engine, events };
}
const samples = (seq: number, ts: number) => model.samplesAt(site, seq, ts).filter((s) => s.rig === rig);
const log = () => {
  const lines: string[] = [];
  return { lines, error: (msg: string) => void lines.push(msg) } as { lines: string[]; error: (msg: string) => void };
};
const tempFile = (): string => join(mkdtempSync(join(tmpdir(), 'rigline-alerts-')), 'alerts.json');

describe('alert state persistence', () => {
  it('round-trips: the restored engine keeps the id and the ack, sends no second opened, and resolves normally', () => {
    const clock = { t: T0 };
    const first = engineAt(clock);
    const workflow = new AlertWorkflow(() => clock.t);
    model.setFault(rig, 'overheat');
    first.engine.observe(samples(1, clock.t));
    const [opened] = first.engine.list();
    expect(opened?.kind).toBe('overheat');
    first.engine.acknowledge(opened!.id, 'olga');
    workflow.addNote(opened!.id, 'olga', 'fan swap at 14:00');
    const silence = workflow.addSilence({ kind: 'maintenance', rule: null, site: site.id, rig: null, starts_at: T0 + 3_600_000, ends_at: T0 + 7_200_000, comment: '' }, 'olga');
    const { seq, active, resolved } = first.engine.snapshot();
    const file = tempFile();
    writeAlertState(file, { version: 1, saved_at: clock.t, seq, active: active.map((alert) => ({ alert, notified: true })), resolved, ...workflow.snapshot(() => true) });

    const saved = loadAlertState(file, log());
    expect(saved).not.toBeNull();
    clock.t += 60_000;
    const second = engineAt(clock);
    second.engine.restore({ seq: saved!.seq, active: saved!.active.map((a) => a.alert), resolved: saved!.resolved });
    const workflow2 = new AlertWorkflow(() => clock.t);
    workflow2.restore(saved!);
    expect(workflow2.notesOf(opened!.id).map((n) => n.text)).toEqual(['fan swap at 14:00']);
    expect(workflow2.listSilences().map((s) => s.id)).toEqual(['id' in silence ? silence.id : '']);

    second.engine.observe(samples(2, clock.t)); // the same condition, seen again after the restart
    expect(second.events).toEqual([]);
    expect(second.engine.list()).toEqual([expect.objectContaining({ id: opened!.id, state: 'acknowledged', acknowledged_by: 'olga' })]);

    model.setFault(rig, null);
    second.engine.observe(samples(3, clock.t));
    clock.t += 11_000;
    second.engine.observe(samples(4, clock.t));
    expect(second.events.map((e) => [e.event, e.alert.id])).toEqual([['resolved', opened!.id]]);
    // A new episode gets a new id, never one of the restored ones.
    model.setFault(rig, 'overheat');
    second.engine.observe(samples(5, clock.t));
    expect(second.events.at(-1)?.event).toBe('opened');
    expect(second.events.at(-1)?.alert.id).not.toBe(opened!.id);
    model.setFault(rig, null);
  });

  it('moves a corrupt file aside with one error line and starts fresh; a missing file is a fresh start', () => {
    const file = tempFile();
    const l = log();
    expect(loadAlertState(file, l)).toBeNull();
    expect(l.lines).toEqual([]);

    writeFileSync(file, '{"version":1,"seq":');
    expect(loadAlertState(file, l, 1234)).toBeNull();
    expect(l.lines).toHaveLength(1);
    expect(l.lines[0]).toContain(`${file}.corrupt-1234`);
    expect(readFileSync(`${file}.corrupt-1234`, 'utf8')).toBe('{"version":1,"seq":');

    writeFileSync(file, JSON.stringify({ version: 1, active: 'nope' }));
    expect(loadAlertState(file, l, 5678)).toBeNull();
    expect(l.lines[1]).toMatch(/not an alert state file/);
    expect(readdirSync(join(file, '..')).sort()).toEqual(['alerts.json.corrupt-1234', 'alerts.json.corrupt-5678']);
  });

  it('writes atomically and debounced: one whole file per burst of changes, no temp file left', () => {
    const file = tempFile();
    let version = 0;
    const state = (): AlertStateFile => ({ version: 1, saved_at: ++version, seq: version, active: [], resolved: [], notes: {}, silences: [] });
    writeAlertState(file, state());
    const persister = new AlertStatePersister(file, state, log(), 60_000);
    for (let i = 0; i < 5; i++) persister.changed();
    expect(loadAlertState(file, log())?.seq).toBe(1); // nothing written yet: the burst waits for the timer or close
    persister.close();
    expect(loadAlertState(file, log())?.seq).toBe(2); // the five changes: one write
    persister.close();
    expect(version).toBe(2); // nothing pending: no write
    expect(readdirSync(join(file, '..'))).toEqual(['alerts.json']);
  });
});

describe('alert service restart (alerts.state_file)', () => {
  const alertOf = (id: string, rigId: string, opened: number): Alert => ({
    id, kind: 'rig_offline', severity: 'critical', site: site.id, rig: rigId, state: 'open', message: 'offline: no telemetry',
    value: null, threshold: null, opened_at: opened, updated_at: opened, acknowledged_at: null, acknowledged_by: null, resolved_at: null, resolved_by: null,
  });

  it("sends the 'opened' a crash kept from going out, and only that one", async () => {
    const hook = await receiver(0);
    const file = tempFile();
    const now = Date.now();
    const [sentRig, unsentRig] = [site.rigs[0]!.id, site.rigs[1]!.id];
    writeAlertState(file, {
      version: 1, saved_at: now, seq: 7, resolved: [], notes: {}, silences: [],
      active: [{ alert: alertOf('a-sent', sentRig, now - 60_000), notified: true }, { alert: alertOf('a-unsent', unsentRig, now - 1000), notified: false }],
    });
    const config = parseConfig({ alerts: { state_file: file, evaluate_interval_ms: 50, group_wait_ms: 0, webhooks: [{ url: hook.url }] } });
    // The rig of the notified alert reports online again: its alert resolves, and its 'resolved' (queued after any
    // resent 'opened', in order) is the barrier after which every 'opened' has arrived.
    const online = model.samplesAt(site, 1, now).find((s) => s.rig === sentRig)!;
    const fleet: FleetView = { records: () => [[sentRig, { sample: online, status: 'online', reasons: [] }]], site: () => null };
    const service = startAlerts(config, fleet, pino({ level: 'silent' }));
    try {
      expect(service.engine.list().map((a) => a.id).sort()).toEqual(['a-sent', 'a-unsent']);
      await waitFor(() => (hook.got.some((g) => g.body.event === 'resolved') ? true : undefined), 10_000, 'the resolved webhook');
      const opened = hook.got.filter((g) => g.body.event === 'opened').map((g) => (g.body.alerts as Alert[]).map((a) => a.id));
      expect(opened).toEqual([['a-unsent']]);
    } finally {
      service.stop();
      hook.server.close();
    }
    // Stop wrote the state: the unsent alert is now marked notified, the other one is in the history.
    const saved = loadAlertState(file, log());
    expect(saved?.active).toEqual([{ alert: expect.objectContaining({ id: 'a-unsent' }), notified: true }]);
    expect(saved?.resolved.map((a) => a.id)).toEqual(['a-sent']);
    expect(saved?.seq).toBe(7);
  });
});
