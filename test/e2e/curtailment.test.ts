import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetModel } from '../../agents/sim/simulator.js';
import type { Rigline } from '../../server/app.js';
import { issueAgent } from '../../server/auth/agents.js';
import {
  ActionCommand,
  commandResultTopic,
  commandTopic,
  statusTopic,
  telemetryTopic,
  type ActionResult,
  type AgentStatus,
  type AsicSample,
  type CurtailmentStatus,
} from '../../server/contract/index.js';
import { startTestServer, waitFor } from '../helpers/server.js';

/**
 * Curtailment closes the loop through telemetry: a site of 20 miners of 3 kW each, 15…34 J/TH, behind an agent that
 * really stops drawing power when told to sleep (its next telemetry says 0 W). Hourly prices cross the threshold;
 * after each decision the next interval's measured site power must be at or below the target, and the miners slept
 * must be the least efficient ones.
 */
const SITE = 'curt-site';
const AGENT = 'curt-agent';
const RIGS = 20;
const RIG_W = 3000;
const HOUR = 3_600_000;

describe('curtailment on hourly prices', () => {
  let rigline: Rigline;
  let agent: mqtt.MqttClient;
  const asleep = new Set<string>();
  const template = new FleetModel({ sites: 1, rigsPerSite: 1, seed: 3, intervalMs: 1000, faultRate: 0, gpuEvery: 0 });
  const base = template.samplesAt(template.sites[0]!, 0, Date.now())[0] as AsicSample;
  const rigId = (i: number): string => `m-${String(i).padStart(2, '0')}`;
  const efficiency = (i: number): number => 15 + i; // m-19 is the least efficient
  let seq = 0;

  /** One telemetry interval from the agent: every miner's power as it is now. */
  async function interval(): Promise<void> {
    const ts = Date.now();
    const samples = Array.from({ length: RIGS }, (_, i): AsicSample => {
      const sleeping = asleep.has(rigId(i));
      const ths = sleeping ? 0 : RIG_W / efficiency(i);
      return { ...base, site: SITE, rig: rigId(i), ts, seq: seq++, interval_s: 60, power_w: sleeping ? 0 : RIG_W, power_source: 'miner', hashrate_5s_ths: ths, hashrate_avg_ths: ths, nameplate_ths: null };
    });
    await agent.publishAsync(telemetryTopic(SITE, 'curt-ctl'), JSON.stringify({ schema: 1, samples }), { qos: 1 });
    await waitFor(() => (samples.every((s) => rigline.state.rig(s.rig)?.ts === s.ts) ? true : undefined), 10_000, 'telemetry applied');
  }

  beforeAll(async () => {
    rigline = await startTestServer({ actions: { curtailment: { interval_ms: 3_600_000 } } });
    const { password } = issueAgent(rigline.security.store, { username: AGENT, kind: 'agent', site: SITE });
    agent = await mqtt.connectAsync(`mqtt://127.0.0.1:${rigline.broker!.port}`, { username: AGENT, password, clientId: AGENT });
    agent.on('message', (_topic, payload) => {
      const command = ActionCommand.parse(JSON.parse(payload.toString()));
      if (command.request.action === 'sleep') asleep.add(command.rig);
      if (command.request.action === 'wake') asleep.delete(command.rig);
      const result: ActionResult = { schema: 1, id: command.id, rig: command.rig, ok: true, code: 'ok', message: command.request.action, family: 'luxos', answer: null, finished_ms: Date.now() };
      void agent.publishAsync(commandResultTopic(SITE, AGENT), JSON.stringify(result), { qos: 1 });
    });
    await agent.subscribeAsync(commandTopic(SITE, AGENT), { qos: 1 });
    const birth: AgentStatus = { schema: 1, state: 'online', ts: Date.now(), agent: { name: 'test', version: '0' }, firmware: null, reason: null, commands: { agent: AGENT, enabled: true } };
    await agent.publishAsync(statusTopic(SITE, 'curt-ctl'), JSON.stringify(birth), { qos: 1 });
    await interval();
  });
  afterAll(async () => {
    await agent?.endAsync();
    await rigline?.stop();
  });

  it('sleeps the least efficient miners down to the target while the price is above break-even, and wakes them when it falls', async () => {
    const start = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
    const prices = [40, 250, 250, 30].map((usd, h) => ({ hour: new Date(start + h * HOUR).toISOString(), usd_per_mwh: usd }));
    const curtailment = rigline.actions.curtailment;
    // The planner's break-even at this site's measured efficiency (24.5 J/TH on average) is the threshold.
    curtailment.set({ site: SITE, target_mw: 0.03, prices, dry_run: false });
    const actionsDone = async (n: number): Promise<void> => {
      await waitFor(() => (rigline.actions.service.list({ site: SITE, state: 'done', offset: 0, limit: 1 }).total >= n ? true : undefined), 10_000, `${n} actions done`);
    };

    // Hour 0: 40 USD/MWh, below break-even: nothing sleeps.
    curtailment.tick(start + 10 * 60_000);
    let status = curtailment.status(SITE) as CurtailmentStatus;
    expect(status.threshold_source).toBe('break_even');
    expect(status.threshold_usd_per_mwh).toBeGreaterThan(40);
    expect(status.threshold_usd_per_mwh).toBeLessThan(250);
    expect(status).toMatchObject({ curtailing: false, measured_mw: 0.06, asleep: [] });

    // Hour 1: 250 USD/MWh. Within one interval the measured site power is at the 0.03 MW target.
    curtailment.tick(start + HOUR + 60_000);
    status = curtailment.status(SITE) as CurtailmentStatus;
    expect(status.curtailing).toBe(true);
    expect(status.planned.sleep).toEqual(Array.from({ length: 10 }, (_, k) => rigId(19 - k)));
    await actionsDone(10);
    await interval();
    curtailment.tick(start + HOUR + 2 * 60_000);
    status = curtailment.status(SITE) as CurtailmentStatus;
    expect(status.measured_mw).toBeLessThanOrEqual(0.03);
    expect(status.shed_mw).toBeCloseTo(0.03, 6);
    expect(status.planned).toEqual({ sleep: [], wake: [] }); // held: nothing more to do
    expect([...asleep].sort()).toEqual(Array.from({ length: 10 }, (_, k) => rigId(10 + k)));

    // Hour 3: 30 USD/MWh, below break-even again: every slept miner wakes, and the next interval shows full power.
    curtailment.tick(start + 3 * HOUR + 60_000);
    status = curtailment.status(SITE) as CurtailmentStatus;
    expect(status.curtailing).toBe(false);
    expect(status.planned.wake).toHaveLength(10);
    await actionsDone(20);
    await interval();
    curtailment.tick(start + 3 * HOUR + 2 * 60_000);
    expect(curtailment.status(SITE)).toMatchObject({ measured_mw: 0.06, shed_mw: 0, asleep: [] });

    // Every curtailment action is audited under its own requester.
    const audit = rigline.actions.service.list({ site: SITE, by: 'curtailment', offset: 0, limit: 100 });
    expect(audit.total).toBe(20);
  }, 60_000);

  it('a dry run shows what it would do and sends nothing', async () => {
    const before = rigline.actions.service.list({ site: SITE, offset: 0, limit: 1 }).total;
    const res = await fetch(`${rigline.httpUrl}/api/sites/${SITE}/curtailment`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ target_mw: 0.045, current_price_usd_per_mwh: 500, dry_run: true }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: CurtailmentStatus };
    expect(body.status).toMatchObject({ dry_run: true, curtailing: true, measured_mw: 0.06, projected_mw: 0.045 });
    expect(body.status.planned.sleep).toEqual([rigId(19), rigId(18), rigId(17), rigId(16), rigId(15)]);
    expect(rigline.actions.service.list({ site: SITE, offset: 0, limit: 1 }).total).toBe(before);
    expect(asleep.size).toBe(0);
  });
});
