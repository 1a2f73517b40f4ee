import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetModel, SimulatorRunner } from '../../agents/sim/simulator.js';
import type { Rigline } from '../../server/app.js';
import { hashPassword } from '../../server/auth/secrets.js';
import type { Alert } from '../../server/contract/index.js';
import { startTestServer, waitFor } from '../helpers/server.js';
import { receiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

type Shown = Alert & { notes: { by: string; text: string }[]; silenced_by: string | null };

/**
 * The alert workflow over HTTP with real logins: acks, resolutions and notes record the signed-in user (a `by` in the
 * body is ignored), bulk actions, viewers refused, and a silence that keeps its rule's alerts out of the webhook.
 */
describe('alert audit trail and silences', () => {
  let rigline: Rigline;
  let runner: SimulatorRunner;
  let hook: WebhookReceiver;
  const model = new FleetModel({ sites: 2, rigsPerSite: 10, seed: 8, intervalMs: 60_000, faultRate: 0, gpuEvery: 0, startMs: Date.now() });
  const cookies: Record<string, string> = {};

  const call = async <T>(who: string | null, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${rigline.httpUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(who ? { cookie: cookies[who] as string } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  const alerts = async (state = 'active'): Promise<Shown[]> => (await call<Shown[]>('olga', 'GET', `/api/alerts?state=${state}`)).body;

  beforeAll(async () => {
    hook = await receiver(0);
    rigline = await startTestServer({
      auth: {
        anonymous: 'none',
        users: [
          { username: 'olga', role: 'operator', password_hash: hashPassword('night-shift-42') },
          { username: 'vic', role: 'viewer', password_hash: hashPassword('just-looking-42') },
        ],
      },
      alerts: { evaluate_interval_ms: 50, group_wait_ms: 0, rules: { hashboard_missing: { for_s: 0 }, overheat: { for_s: 0 } }, webhooks: [{ url: hook.url }] },
    });
    for (const [user, password] of [['olga', 'night-shift-42'], ['vic', 'just-looking-42']] as const) {
      const res = await fetch(`${rigline.httpUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: user, password }) });
      expect(res.status).toBe(200);
      cookies[user] = (res.headers.get('set-cookie') ?? '').split(';')[0] as string;
    }
    runner = new SimulatorRunner(model, { url: rigline.mqttUrl });
    expect(await runner.waitConnected(5000)).toBe(true);
  });
  afterAll(async () => {
    await runner?.stop();
    await rigline?.stop();
    hook?.server.close();
  });

  it('records the signed-in user on acks, resolutions and notes, ignoring a name in the body', async () => {
    for (const rig of ['site-01-r00001', 'site-01-r00002', 'site-01-r00003', 'site-01-r00004']) model.setFault(rig, 'hashboard_lost');
    await runner.tick();
    const open = await waitFor(async () => {
      const list = (await alerts()).filter((a) => a.kind === 'hashboard_missing');
      return list.length === 4 ? list : undefined;
    });
    const [first, second, ...rest] = open as [Shown, Shown, ...Shown[]];

    expect((await call('vic', 'POST', `/api/alerts/${first.id}/ack`, {})).status).toBe(403);
    const acked = await call<Shown>('olga', 'POST', `/api/alerts/${first.id}/ack`, { by: 'mallory', note: 'board swap booked for 14:00' });
    expect(acked.status).toBe(200);
    expect(acked.body).toMatchObject({ state: 'acknowledged', acknowledged_by: 'olga' });
    expect(acked.body.notes).toEqual([expect.objectContaining({ by: 'olga', text: 'board swap booked for 14:00' })]);

    const resolved = await call<Shown>('olga', 'POST', `/api/alerts/${second.id}/resolve`, { by: 'mallory' });
    expect(resolved.body).toMatchObject({ state: 'resolved', resolved_by: 'manual', resolved_by_user: 'olga' });

    const note = await call<{ notes: { by: string }[] }>('olga', 'POST', `/api/alerts/${first.id}/notes`, { text: 'spare board on site' });
    expect(note.status).toBe(201);
    expect(note.body.notes.map((n) => n.by)).toEqual(['olga', 'olga']);
    expect((await call('vic', 'POST', `/api/alerts/${first.id}/notes`, { text: 'hi' })).status).toBe(403);

    // Bulk: the rest acknowledged in one call, then all resolved; an unknown id is reported, not fatal.
    const bulkAck = await call<{ done: number; results: { id: string; error?: string }[] }>('olga', 'POST', '/api/alerts/ack', { ids: [...rest.map((a) => a.id), 'nope'] });
    expect(bulkAck.body.done).toBe(rest.length);
    expect(bulkAck.body.results.find((r) => r.id === 'nope')?.error).toBe('alert_not_found');
    const bulkResolve = await call<{ done: number }>('olga', 'POST', '/api/alerts/resolve', { ids: [first.id, ...rest.map((a) => a.id)], note: 'all boards replaced' });
    expect(bulkResolve.body.done).toBe(1 + rest.length);
    const history = await alerts('resolved');
    for (const a of history.filter((x) => x.kind === 'hashboard_missing')) expect(a.resolved_by_user).toBe('olga');
    expect(history.filter((a) => rest.some((r) => r.id === a.id)).map((a) => a.acknowledged_by)).toEqual(rest.map(() => 'olga'));
  });

  it('sends no webhook for a silenced rule and shows the silence on the alert', async () => {
    expect((await call('vic', 'POST', '/api/alerts/silences', { rule: 'overheat', site: 'site-02', ends_at: Date.now() + 3_600_000 })).status).toBe(403);
    const bad = await call<{ error: { message: string } }>('olga', 'POST', '/api/alerts/silences', { ends_at: Date.now() + 60_000 });
    expect(bad.status).toBe(400);
    const silence = await call<{ id: string; created_by: string }>('olga', 'POST', '/api/alerts/silences', { rule: 'overheat', site: 'site-02', ends_at: Date.now() + 3_600_000, comment: 'fans being replaced' });
    expect(silence.status).toBe(201);
    expect(silence.body.created_by).toBe('olga');
    const maintenance = await call<{ id: string }>('olga', 'POST', '/api/alerts/silences', { kind: 'maintenance', site: 'site-01', starts_at: Date.now() + 86_400_000, ends_at: Date.now() + 90_000_000 });
    expect(maintenance.status).toBe(201);
    expect((await call<{ silences: { id: string }[] }>('vic', 'GET', '/api/alerts/silences')).body.silences.map((s) => s.id).sort()).toEqual([silence.body.id, maintenance.body.id].sort());

    const before = hook.got.length;
    model.setFault('site-02-r00005', 'overheat'); // silenced
    model.setFault('site-02-r00006', 'hashboard_lost'); // not silenced: its webhook proves notifications flow
    await runner.tick();
    const [hot] = await waitFor(async () => {
      const list = await alerts();
      const overheat = list.filter((a) => a.kind === 'overheat' && a.rig === 'site-02-r00005');
      return overheat.length && list.some((a) => a.rig === 'site-02-r00006') ? overheat : undefined;
    });
    expect(hot?.silenced_by).toBe(silence.body.id);
    await waitFor(() => (hook.got.slice(before).some((g) => JSON.stringify(g.body).includes('site-02-r00006')) ? true : undefined), 10_000, 'the unsilenced webhook');
    expect(hook.got.slice(before).some((g) => JSON.stringify(g.body).includes('site-02-r00005'))).toBe(false);

    // Lifting the silence: the next alert of that rule notifies again.
    expect((await call('olga', 'DELETE', `/api/alerts/silences/${silence.body.id}`)).status).toBe(200);
    model.setFault('site-02-r00007', 'overheat');
    await runner.tick();
    await waitFor(() => (hook.got.some((g) => JSON.stringify(g.body).includes('site-02-r00007')) ? true : undefined), 10_000, 'webhook after the silence');
  });
});
