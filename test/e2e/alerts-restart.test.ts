import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FleetModel, SimulatorRunner } from '../../agents/sim/simulator.js';
import type { Rigline } from '../../server/app.js';
import { hashPassword } from '../../server/auth/secrets.js';
import type { Alert as BareAlert } from '../../server/contract/index.js';
import { startTestServer, waitFor } from '../helpers/server.js';
import { receiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

type Alert = BareAlert & { notes: { by: string; text: string }[] };

/**
 * Issue 10, finding 9: a restart re-opened every standing alert with a new id and a second 'opened' webhook. With
 * alerts.state_file the alert survives the restart: same id, same acknowledgement, one 'opened' in all, and it
 * resolves normally (one 'resolved') once its condition clears after the restart.
 */
describe('alert state across a server restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rigline-alert-restart-'));
  const model = new FleetModel({ sites: 1, rigsPerSite: 3, seed: 11, intervalMs: 60_000, faultRate: 0, gpuEvery: 0, startMs: Date.now() });
  const rig = 'site-01-r00002';
  let hook: WebhookReceiver;
  let rigline: Rigline | null = null;
  let runner: SimulatorRunner | null = null;
  let cookie = '';

  async function start(): Promise<void> {
    rigline = await startTestServer({
      auth: { anonymous: 'none', users: [{ username: 'olga', role: 'operator', password_hash: hashPassword('night-shift-42') }] },
      alerts: {
        evaluate_interval_ms: 50,
        group_wait_ms: 0,
        state_file: join(dir, 'alerts.json'),
        rules: { hashboard_missing: { for_s: 0, clear_s: 0 } },
        webhooks: [{ url: hook.url }],
      },
    });
    const res = await fetch(`${rigline.httpUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'olga', password: 'night-shift-42' }),
    });
    expect(res.status).toBe(200);
    cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
    runner = new SimulatorRunner(model, { url: rigline.mqttUrl });
    expect(await runner.waitConnected(5000)).toBe(true);
  }
  async function stop(): Promise<void> {
    await runner?.stop();
    await rigline?.stop();
    runner = null;
    rigline = null;
  }
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${rigline!.httpUrl}${path}`, { method, headers: { 'content-type': 'application/json', cookie }, body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined });
    expect(res.status).toBe(method === 'POST' && path === '/api/alerts/silences' ? 201 : 200);
    return (await res.json()) as T;
  };
  const rigAlerts = async (state = 'active'): Promise<Alert[]> => (await call<Alert[]>('GET', `/api/alerts?state=${state}`)).filter((a) => a.rig === rig && a.kind === 'hashboard_missing');
  const hooks = (event: string): unknown[] => hook.got.filter((g) => g.body.event === event && JSON.stringify(g.body.alerts).includes(rig));

  afterAll(async () => {
    await stop();
    hook?.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the id and the acknowledgement and sends no second opened webhook', async () => {
    hook = await receiver(0);
    await start();
    model.setFault(rig, 'hashboard_lost');
    await runner!.tick();
    const [opened] = await waitFor(async () => {
      const list = await rigAlerts();
      return list.length === 1 ? list : undefined;
    }, 10_000, 'the alert');
    const acked = await call<Alert>('POST', `/api/alerts/${opened!.id}/ack`, { note: 'board swap booked for 14:00' });
    expect(acked).toMatchObject({ state: 'acknowledged', acknowledged_by: 'olga' });
    const silence = await call<{ id: string }>('POST', '/api/alerts/silences', { kind: 'maintenance', site: 'site-01', starts_at: Date.now() + 86_400_000, ends_at: Date.now() + 90_000_000 });
    await waitFor(() => (hooks('opened').length === 1 ? true : undefined), 10_000, 'the opened webhook');
    await stop();

    const restartedAt = Date.now();
    await start();
    // Before any sample: the saved alert is back, acknowledged by the same user, with its note; the window too.
    expect(await rigAlerts()).toEqual([expect.objectContaining({ id: opened!.id, state: 'acknowledged', acknowledged_by: 'olga' })]);
    expect((await rigAlerts())[0]?.notes).toEqual([expect.objectContaining({ by: 'olga', text: 'board swap booked for 14:00' })]);
    expect((await call<{ silences: { id: string }[] }>('GET', '/api/alerts/silences')).silences.map((s) => s.id)).toEqual([silence.id]);
    // The same condition in live telemetry updates that alert instead of opening a new one.
    await runner!.tick();
    const [seen] = await waitFor(async () => {
      const list = await rigAlerts();
      return list[0] && list[0].updated_at >= restartedAt ? list : undefined;
    }, 10_000, 'the condition seen again');
    expect(seen).toMatchObject({ id: opened!.id, state: 'acknowledged', acknowledged_by: 'olga' });
    expect(await rigAlerts()).toHaveLength(1);

    // Cleared after the restart: resolved normally. Webhooks go out in order, so once 'resolved' has arrived a
    // second 'opened' would have arrived before it.
    model.setFault(rig, null);
    await runner!.tick();
    await waitFor(() => (hooks('resolved').length === 1 ? true : undefined), 10_000, 'the resolved webhook');
    expect(hooks('opened')).toHaveLength(1);
    expect(await rigAlerts('resolved')).toEqual([expect.objectContaining({ id: opened!.id, resolved_by: 'cleared', acknowledged_by: 'olga' })]);
    expect(await rigAlerts()).toEqual([]);
  });
});
