import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../agents/runtime/agent.js';
import { parseAgentConfig } from '../../agents/runtime/config.js';
import { startAgent } from '../../agents/runtime/start.js';
import type { Rigline } from '../../server/app.js';
import type { Economics, RigView } from '../../server/contract/index.js';
import { DEVICES } from '../agents/recordings.js';
import { setMetric, startFakeInferenceServer, type FakeInferenceServer } from '../helpers/fake-inference.js';
import { loadRecordings, startFakeMiner, type FakeMiner } from '../helpers/fake-miner.js';
import { fakeNvidiaSmi } from '../helpers/fake-nvidia-smi.js';
import { influxRows } from '../helpers/influx.js';
import { getJson, startTestServer, waitFor } from '../helpers/server.js';
import { hasService, startInfluxDb, startMosquitto, type Service } from '../helpers/services.js';

const available = hasService('mosquitto', 'mosquitto') && hasService('influxd', 'influxdb');

// Each scrape of the fake vLLM advances its counters by these amounts, so the rate between two polls is exactly
// this over the time between the agent's two samples (their `ts`).
const PER_SCRAPE = { prompt: 4800, generation: 2400, requests: 8 };
const SITE = 'site-e2e';
const RIG = 'gpu-node-01';
const PRICE_KWH = 0.05;
const USD_PER_M_TOKENS = 0.6;
// Hashprice from the recorded mempool replies: 86,400 × 10^15 / (126,411,437,451,912.23 × 2^32) × (3.125 + 0.03) × 91,250.
const HASHPRICE = 45.814162101133654;
const POOL_FEE = 0.02;

const within1pct = (actual: number, expected: number): void => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.abs(expected) * 0.01);
};

describe.skipIf(!available)('inference server → agent → Mosquitto → server → InfluxDB, and live economics', () => {
  let mosquitto: Service;
  let influx: Service;
  let rigline: Rigline;
  let agent: Agent;
  let inference: FakeInferenceServer;
  let miner: FakeMiner;
  let mempool: Server;
  const spool = mkdtempSync(join(tmpdir(), 'rigline-e2e-inference-'));
  const db = 'inference_e2e';

  beforeAll(async () => {
    [mosquitto, influx] = await Promise.all([startMosquitto(), startInfluxDb()]);
    const capture = readFileSync('test/fixtures/inference/datadog__vllm-0.4.3-opt-125m.prom', 'utf8');
    inference = await startFakeInferenceServer((n) =>
      setMetric(
        setMetric(setMetric(capture, 'vllm:prompt_tokens_total', 5 + n * PER_SCRAPE.prompt), 'vllm:generation_tokens_total', 7 + n * PER_SCRAPE.generation),
        'vllm:request_success_total',
        1 + n * PER_SCRAPE.requests,
      ),
    );
    const replies: Record<string, string> = {
      '/api/v1/mining/hashrate/3d': readFileSync('test/fixtures/market/mempool__api_v1_mining_hashrate_3d.json', 'utf8'),
      '/api/v1/mining/reward-stats/144': readFileSync('test/fixtures/market/mempool__api_v1_mining_reward-stats_144.json', 'utf8'),
      '/api/v1/prices': readFileSync('test/fixtures/market/mempool__api_v1_prices.json', 'utf8'),
    };
    mempool = createServer((req, res) => {
      const reply = replies[req.url ?? ''];
      if (reply === undefined) res.writeHead(404).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end(reply);
    });
    await new Promise<void>((resolve) => mempool.listen(0, '127.0.0.1', resolve));
    miner = await startFakeMiner({ replies: loadRecordings(DEVICES.antminerStock) });
    rigline = await startTestServer({
      mqtt: { mode: 'external', url: mosquitto.url, client_id: 'rigline-e2e-inference' },
      store: { kind: 'influxdb1', site_rollup_interval_ms: 3_600_000, influxdb: { url: influx.url, database: db, flush_interval_ms: 100 } },
      sites: [{ id: SITE, name: 'E2E site', power_price_usd_per_kwh: PRICE_KWH }],
      planner: { market: { pool_fee: POOL_FEE }, ai: { usd_per_million_tokens: USD_PER_M_TOKENS } },
      market: { source: 'mempool', mempool: { url: `http://127.0.0.1:${(mempool.address() as AddressInfo).port}` }, push_interval_ms: 500 },
    });
    agent = await startAgent(
      parseAgentConfig({
        site: SITE,
        agent_id: 'e2e-agent',
        interval_s: 1,
        // Generous: a poll the agent gives up on is a sample lost after its scrape, and the rate check below pairs
        // each stored sample with the one before it.
        timeout_ms: 15_000,
        batch_window_ms: 500,
        mqtt: { url: mosquitto.url, reconnect: { initial_ms: 100, max_ms: 500 } },
        sources: [
          { type: 'nvidia-smi', rig: RIG, path: fakeNvidiaSmi('test/fixtures/gpu/nvidia-smi-xml/a100-sxm4-v12.xml'), host_model_file: '' },
          { type: 'inference', rig: RIG, url: inference.url, server: 'auto' },
          { type: 'cgminer', host: miner.host, port: miner.port, rig: 's19-pro-01' },
        ],
        spool: { dir: spool },
      }),
      { log: pino({ level: 'silent' }) },
    );
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await rigline?.stop();
    await inference?.close();
    await miner?.close();
    await new Promise<void>((resolve) => (mempool ? mempool.close(() => resolve()) : resolve()));
    await mosquitto?.dispose();
    await influx?.dispose();
    rmSync(spool, { recursive: true, force: true });
  });

  /** Times (ms) of the rig's samples as stored in InfluxDB. */
  const rigTimes = async (): Promise<number[]> => (await influxRows(influx, db, `SELECT interval_s FROM "rig" WHERE "rig" = '${RIG}'`)).map((r) => r[0] as number);

  it('stores the rig’s inference block with rates that match the counters’ advance, and serves it live', async () => {
    // Three polls with rates (the first scrape has none to compare with).
    const rows = await waitFor(
      async () => {
        const r = await influxRows(influx, db, `SELECT generation_tokens_per_s, prompt_tokens_per_s, requests_per_s, ttft_p50_ms, "server", "model" FROM "inference" WHERE "rig" = '${RIG}'`);
        return r.filter((row) => row[1] !== null).length >= 3 ? r : undefined;
      },
      30_000,
      'three inference points in InfluxDB',
    );
    const times = await rigTimes();
    for (const [ts, gen, prompt, requests, , server, model] of rows as [number, number | null, number | null, number | null, number | null, string, string][]) {
      expect(server).toBe('vllm');
      expect(model).toBe('facebook/opt-125m');
      if (gen === null) continue;
      const previous = Math.max(...times.filter((t) => t < ts));
      const seconds = (ts - previous) / 1000;
      within1pct(gen, PER_SCRAPE.generation / seconds);
      within1pct(prompt as number, PER_SCRAPE.prompt / seconds);
      within1pct(requests as number, PER_SCRAPE.requests / seconds);
    }

    const { body: rig } = await getJson<RigView>(rigline, `/api/rigs/${RIG}`);
    expect(rig.kind).toBe('gpu');
    if (rig.kind !== 'gpu') return;
    expect(rig.gpus.length).toBeGreaterThan(0); // nvidia-smi's GPUs and the inference block on one sample
    expect(rig.inference).toMatchObject({ server: 'vllm', model: 'facebook/opt-125m', requests_running: 0, requests_waiting: 0, kv_cache_usage_pct: 0 });
    expect(rig.tokens_per_s).toBe(rig.inference?.generation_tokens_per_s);
  }, 60_000);

  it('GET /api/economics matches hand-computed revenue per day and per MW for mining and inference', async () => {
    // A consistent read: an economics figure computed after the rig's sample arrived and before any newer one.
    const { economics, gpuNode, asic } = await waitFor(
      async () => {
        const before = (await getJson<RigView>(rigline, `/api/rigs/${RIG}`)).body;
        const economics = (await getJson<Economics>(rigline, `/api/economics?site=${SITE}`)).body;
        const after = (await getJson<RigView>(rigline, `/api/rigs/${RIG}`)).body;
        const asic = (await getJson<RigView>(rigline, '/api/rigs/s19-pro-01')).body;
        const ready = before.kind === 'gpu' && before.inference?.generation_tokens_per_s != null && economics.market.updated_at !== null;
        return ready && before.ts === after.ts && economics.ts >= before.last_seen && asic.status !== 'offline' ? { economics, gpuNode: before, asic } : undefined;
      },
      30_000,
      'a consistent economics read',
    );
    if (gpuNode.kind !== 'gpu' || asic.kind !== 'asic') throw new Error('unexpected rig kinds');
    await waitFor(async () => ((await rigTimes()).includes(gpuNode.ts) ? true : undefined), 10_000, 'the sample stored');
    const previous = Math.max(...(await rigTimes()).filter((t) => t < gpuNode.ts));
    const genPerS = PER_SCRAPE.generation / ((gpuNode.ts - previous) / 1000);

    const site = economics.sites[0];
    expect(site?.id).toBe(SITE);
    if (!site) return;
    // Market: the recorded mempool replies, and their age.
    expect(economics.market).toMatchObject({ source: 'mempool', btc_price_usd: 91250, stale: false, error: null });
    within1pct(economics.market.hashprice_usd_per_ph_day, HASHPRICE);

    // Inference: generated tok/s × 86,400 s / 10^6 × $0.60, over the node's measured power.
    const inferenceRevenue = ((genPerS * 86_400) / 1e6) * USD_PER_M_TOKENS;
    const gpuMw = (gpuNode.power_w as number) / 1e6;
    within1pct(site.inference.generation_tokens_per_s, genPerS);
    within1pct(site.inference.revenue_usd_per_day, inferenceRevenue);
    within1pct(site.inference.revenue_usd_per_mw_day as number, inferenceRevenue / gpuMw);
    within1pct(site.inference.power_cost_usd_per_day, (gpuNode.power_w as number) / 1000 * 24 * PRICE_KWH);

    // Mining: live hashrate × hashprice × (1 − pool fee), over the miner's power.
    const ths = (asic.hashrate_5s_ths ?? asic.hashrate_avg_ths) as number;
    const miningRevenue = (ths / 1000) * HASHPRICE * (1 - POOL_FEE);
    within1pct(site.mining.revenue_usd_per_day, miningRevenue);
    within1pct(site.mining.revenue_usd_per_mw_day as number, miningRevenue / ((asic.power_w as number) / 1e6));
    within1pct(site.mining.power_cost_usd_per_day, (asic.power_w as number) / 1000 * 24 * PRICE_KWH);
  }, 60_000);

  it('refuses a bad site parameter with a stable code', async () => {
    expect(await getJson(rigline, '/api/economics?site=NOT%20AN%20ID')).toMatchObject({ status: 400, body: { error: { code: 'invalid_parameter' } } });
    expect(await getJson(rigline, '/api/economics?site=nowhere')).toMatchObject({ status: 404, body: { error: { code: 'site_not_found' } } });
  });
});
