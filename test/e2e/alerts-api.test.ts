import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetModel, SimulatorRunner } from '../../agents/sim/simulator.js';
import type { Rigline } from '../../server/app.js';
import { Alert, type ClientToServerEvents, type ServerToClientEvents } from '../../server/contract/index.js';
import { getJson, startTestServer, waitFor } from '../helpers/server.js';
import { receiver } from '../helpers/webhook-receiver.js';

async function post(rigline: Rigline, path: string, body: unknown): Promise<{ status: number; body: { error?: { code: string } } & Partial<Alert> }> {
  const res = await fetch(`${rigline.httpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { error?: { code: string } } & Partial<Alert> };
}

describe('alerts over the API, socket.io and webhooks (real server, simulated fleet)', () => {
  let rigline: Rigline;
  let runner: SimulatorRunner;
  let json: Awaited<ReturnType<typeof receiver>>;
  let slack: Awaited<ReturnType<typeof receiver>>;
  let socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  const pushed: Alert[] = [];
  const model = new FleetModel({ sites: 1, rigsPerSite: 10, seed: 11, intervalMs: 60_000, faultRate: 0, gpuEvery: 5, startMs: Date.now() });
  const [board, hot, gpu] = ['site-01-r00001', 'site-01-r00002', 'site-01-r00005'];

  beforeAll(async () => {
    json = await receiver(1);
    slack = await receiver(0);
    rigline = await startTestServer({
      alerts: {
        evaluate_interval_ms: 50,
        rules: { hashboard_missing: { for_s: 0, clear_s: 0 }, overheat: { for_s: 0 }, gpu_error: { for_s: 0 } },
        webhooks: [{ url: json.url }, { url: slack.url, format: 'slack', send_resolved: false }],
        retry: { initial_ms: 20 },
        group_wait_ms: 0,
        dashboard_url: 'http://ops.example.com/',
      },
    });
    runner = new SimulatorRunner(model, { url: rigline.mqttUrl });
    expect(await runner.waitConnected(5000)).toBe(true);
    socket = connect(rigline.httpUrl, { transports: ['websocket'] });
    socket.on('alert', (a) => pushed.push(Alert.parse(a)));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  });

  afterAll(async () => {
    socket?.close();
    await runner?.stop();
    await rigline?.stop();
    json?.server.close();
    slack?.server.close();
  });

  it('opens one alert per fault, notifies each webhook exactly once per alert despite repeats and a retry', async () => {
    model.setFault(board, 'hashboard_lost');
    model.setFault(hot, 'overheat');
    model.setFault(gpu, 'gpu_xid');
    for (let i = 0; i < 5; i++) await runner.tick();
    const alerts = await waitFor(async () => {
      const { body } = await getJson<Alert[]>(rigline, '/api/alerts');
      return body.length >= 3 ? body : undefined;
    });
    expect(alerts.map((a) => `${a.kind}:${a.rig}`).sort()).toEqual([`gpu_error:${gpu}`, `hashboard_missing:${board}`, `overheat:${hot}`]);
    for (let i = 0; i < 5; i++) await runner.tick();
    await waitFor(() => (json.got.filter((r) => r.status === 200).length >= 3 && slack.got.length >= 3 ? true : undefined));
    await new Promise((r) => setTimeout(r, 300)); // room for any duplicate to arrive

    const delivered = json.got.filter((r) => r.status === 200).map((r) => r.body as { event: string; delivery_id: string; alerts: Alert[]; url: string });
    expect(delivered.flatMap((d) => d.alerts.map((a) => a.id)).sort()).toEqual(alerts.map((a) => a.id).sort());
    expect(delivered.every((d) => d.event === 'opened' && d.delivery_id === `${d.alerts[0]!.id}:opened`)).toBe(true);
    expect(json.got[0]!.status).toBe(503); // the first attempt failed and was retried with the same delivery id
    expect(json.got).toHaveLength(4);
    expect(delivered.find((d) => d.alerts[0]!.rig === board)!.url).toBe(`http://ops.example.com/rigs/${board}`);

    expect(slack.got).toHaveLength(3);
    const texts = slack.got.map((r) => r.body.text as string);
    expect(texts.some((t) => t.startsWith(`[CRITICAL] GPU error: ${gpu} (site-01): GPU 3: Xid 79`))).toBe(true);
    expect(slack.got.every((r) => Array.isArray(r.body.blocks))).toBe(true);
    expect(pushed.filter((a) => a.state === 'open')).toHaveLength(3);
    const stats = (await getJson<{ open: number; webhooks: { delivered: number; failed: number; url: string }[] }>(rigline, '/api/alerts/stats')).body;
    expect(stats.open).toBe(3);
    expect(stats.webhooks.map((w) => [w.delivered, w.failed])).toEqual([[3, 0], [3, 0]]);
  });

  it('acknowledges over the API, pushes the change, and keeps the alert active', async () => {
    const [target] = (await getJson<Alert[]>(rigline, `/api/alerts?state=open&site=site-01`)).body.filter((a) => a.rig === hot);
    const acked = await post(rigline, `/api/alerts/${target!.id}/ack`, { by: 'night shift' });
    expect(acked.status).toBe(200);
    expect(acked.body).toMatchObject({ id: target!.id, state: 'acknowledged', acknowledged_by: 'anonymous (admin)' }); // the caller, not the body's `by`
    await waitFor(() => pushed.find((a) => a.id === target!.id && a.state === 'acknowledged'));
    expect((await getJson<Alert[]>(rigline, '/api/alerts?state=acknowledged')).body.map((a) => a.id)).toEqual([target!.id]);
    expect((await getJson<Alert[]>(rigline, '/api/alerts')).body).toHaveLength(3);
  });

  it('resolves when the fault clears, notifies the resolution once, and refuses to ack a resolved alert', async () => {
    model.clearFault(board);
    for (let i = 0; i < 3; i++) await runner.tick();
    const resolved = await waitFor(async () => (await getJson<Alert[]>(rigline, '/api/alerts?state=resolved')).body[0]);
    expect(resolved).toMatchObject({ kind: 'hashboard_missing', rig: board, resolved_by: 'cleared' });
    await waitFor(() => json.got.find((r) => r.body.event === 'resolved'));
    await new Promise((r) => setTimeout(r, 200));
    expect(json.got.filter((r) => r.body.event === 'resolved')).toHaveLength(1);
    expect(slack.got).toHaveLength(3); // send_resolved: false
    expect((await post(rigline, `/api/alerts/${resolved.id}/ack`, {})).body.error?.code).toBe('alert_resolved');
  });

  it('resolves by hand without re-raising while the fault persists, and without a webhook', async () => {
    const gpuAlert = (await getJson<Alert[]>(rigline, '/api/alerts')).body.find((a) => a.rig === gpu)!;
    const before = json.got.length;
    const res = await post(rigline, `/api/alerts/${gpuAlert.id}/resolve`, { by: 'ops' });
    expect(res.body).toMatchObject({ state: 'resolved', resolved_by: 'manual' });
    for (let i = 0; i < 3; i++) await runner.tick();
    await new Promise((r) => setTimeout(r, 300));
    expect((await getJson<Alert[]>(rigline, '/api/alerts')).body.filter((a) => a.rig === gpu)).toEqual([]);
    expect(json.got.length).toBe(before);
  });

  it('answers bad requests with stable codes', async () => {
    expect((await post(rigline, '/api/alerts/nope/ack', {})).status).toBe(404);
    expect((await post(rigline, '/api/alerts/nope/ack', {})).body.error?.code).toBe('alert_not_found');
    const active = (await getJson<Alert[]>(rigline, '/api/alerts')).body[0]!;
    expect((await post(rigline, `/api/alerts/${active.id}/ack`, { who: 1 })).body.error?.code).toBe('invalid_parameter');
    for (const path of ['/api/alerts?state=maybe', '/api/alerts?site=BAD!', '/api/alerts?limit=0', '/api/alerts?x=1']) {
      const { status, body } = await getJson<{ error: { code: string } }>(rigline, path);
      expect({ path, status, code: body.error.code }).toEqual({ path, status: 400, code: 'invalid_parameter' });
    }
  });
});
