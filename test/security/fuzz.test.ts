import fc from 'fast-check';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetModel } from '../../agents/sim/simulator.js';
import type { Rigline } from '../../server/app.js';
import { ID_PATTERN, telemetryTopic, type Sample } from '../../server/contract/index.js';
import { startTestServer, waitFor } from '../helpers/server.js';

/**
 * Hostile input at ingest and the API. Each generated message goes through the real ingest path
 * (MqttIngest.handle: decode → fleet state → store); a share also crosses the embedded broker over TCP. The
 * property: nothing throws, every message is either accepted or counted under exactly one reason, and what is
 * accepted keeps every id inside [a-z0-9-] (the only strings that become InfluxDB tags or element ids).
 */
const MAX_PAYLOAD = 64 * 1024;
const RUNS = 100_000;
const model = new FleetModel({ sites: 2, rigsPerSite: 4, seed: 11, intervalMs: 5000, faultRate: 0, gpuEvery: 2 });
const templates: Sample[] = model.sites.flatMap((site) => model.samplesAt(site, 0, Date.now()));

const INJECTIONS = [
  'cpu,host=a value=1\nrigs,site=x hashrate=9e99', // line protocol: a second point
  'a\\,b\\ c=d', 'x" y="z', "'; DROP SERIES FROM /.*/; --", '"; DROP DATABASE rigline', 'SELECT * FROM "rigs" WHERE 1=1 OR ""="',
  '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '"><svg onload=alert(1)>', "javascript:alert('x')",
  '\u0000\u0001\u001f', '\ud800', '🔥'.repeat(100), 'A'.repeat(600), '${7*7}', '{{constructor.constructor("x")()}}',
];
const hostileString = fc.oneof(fc.constantFrom(...INJECTIONS), fc.string({ maxLength: 64 }), fc.string({ unit: 'grapheme', maxLength: 32 }));
const hostileId = fc.oneof(hostileString, fc.constantFrom('site-01', 'SITE-01', 'site_01', '', '-', 'a'.repeat(65), '../site-01', 'site-01/#', '+', '$SYS'));

const topicArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...templates.map((s) => telemetryTopic(s.site, s.rig))) },
  { weight: 2, arbitrary: fc.tuple(hostileId, hostileId, fc.constantFrom('telemetry', 'status', 'config', '')).map(([s, r, c]) => `rigline/v1/${s}/${r}/${c}`) },
  { weight: 1, arbitrary: fc.constantFrom('$SYS/broker/x', 'rigline/v1/site-01/r/telemetry/extra', 'rigline/v2/site-01/r/telemetry', '#', '', 'rigline/v1//r/telemetry') },
  { weight: 1, arbitrary: fc.string({ maxLength: 80 }) },
);

const deepNesting = fc.integer({ min: 1, max: 200_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth));
const deepObject = fc.integer({ min: 100, max: 20_000 }).map((depth) => '{"schema":1,"samples":'.repeat(depth) + '[]' + '}'.repeat(depth));

function mutate(sample: Sample, key: string, value: unknown): unknown {
  return { ...sample, [key]: value };
}

const payloadArb: fc.Arbitrary<string | Buffer> = fc.oneof(
  // Valid shapes with injection in every free-text field (accepted when the topic matches; stored as data).
  { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...templates), hostileString).map(([s, text]) => JSON.stringify(s.kind === 'asic' ? { ...s, model: text, firmware: text, errors: [text], pools: s.pools.map((p) => ({ ...p, url: text })) } : { ...s, errors: [text] })) },
  // Injection in ids and numbers where the schema wants something else.
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...templates), fc.constantFrom('site', 'rig', 'ts', 'kind', 'schema', 'power_w', 'interval_s', 'hashboards', 'gpus', 'errors'), fc.oneof(hostileString, fc.anything())).map(([s, k, v]) => JSON.stringify(mutate(s, k, v))) },
  // Batches: mixed sites, too many samples, wrong element types.
  { weight: 2, arbitrary: fc.array(fc.oneof(fc.constantFrom(...templates), fc.anything()), { maxLength: 20 }).map((samples) => JSON.stringify({ schema: 1, samples })) },
  { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.oneof(deepNesting, deepObject) },
  { weight: 1, arbitrary: fc.integer({ min: MAX_PAYLOAD + 1, max: MAX_PAYLOAD * 4 }).map((n) => Buffer.alloc(n, 0x7b)) },
  { weight: 1, arbitrary: fc.constantFrom('', 'null', '{}', '{"schema":1}', '{"schema":"1"}', '{"__proto__":{"polluted":1},"schema":1}', '{"schema":1,"constructor":{"prototype":{"x":1}}}') },
);

const KNOWN_REASONS = new Set(['bad_topic', 'oversized', 'bad_json', 'unknown_schema_version', 'schema', 'topic_mismatch']);
// Per-sample refusals after decoding (ingest/pipeline.ts): possible, but the generator need not produce each.
const SAMPLE_REASONS = new Set(['clock_skew', 'too_old', 'rig_site_conflict', 'rig_limit', 'duplicate']);

describe('hostile input', () => {
  let rigline: Rigline;
  beforeAll(async () => {
    rigline = await startTestServer({ mqtt: { max_payload_bytes: MAX_PAYLOAD }, store: { memory: { max_points_per_series: 50 } } });
  });
  afterAll(async () => rigline?.stop());

  const invalidTotal = (): number => Object.values(rigline.counters.snapshot().invalid).reduce((a, b) => a + b, 0);
  // Whole-message refusals count once per message; per-sample refusals (SAMPLE_REASONS) once per sample refused.
  const messageRefusals = (): number => Object.entries(rigline.counters.snapshot().invalid).reduce((a, [reason, n]) => a + (SAMPLE_REASONS.has(reason) ? 0 : n), 0);

  it(`counts every one of ${RUNS} generated messages at ingest under exactly one outcome`, { timeout: 240_000 }, () => {
    const heapBefore = process.memoryUsage().heapUsed;
    let accepted = 0;
    fc.assert(
      fc.property(topicArb, payloadArb, (topic, payload) => {
        const before = { received: rigline.counters.received, refused: messageRefusals() };
        rigline.ingest.handle(topic, Buffer.isBuffer(payload) ? payload : Buffer.from(payload));
        expect(rigline.counters.received).toBe(before.received + 1);
        const refused = messageRefusals() - before.refused;
        expect(refused === 0 || refused === 1).toBe(true);
        if (refused === 0) accepted++;
      }),
      { numRuns: RUNS, seed: 20261124 },
    );
    const snapshot = rigline.counters.snapshot();
    const rejected = messageRefusals();
    const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    console.log(`fuzz ingest: sent ${RUNS}, accepted ${accepted} (samples stored ${snapshot.stored}, samples refused ${invalidTotal() - rejected}), rejected ${rejected}, lost ${RUNS - accepted - rejected}`);
    console.log(`fuzz ingest reasons: ${JSON.stringify(snapshot.invalid)}; heap growth ${heapGrowthMb.toFixed(1)} MiB; rigs in state ${rigline.state.rigCount}`);
    expect(snapshot.received).toBe(RUNS);
    expect(accepted + rejected).toBe(RUNS);
    for (const reason of Object.keys(snapshot.invalid)) expect(KNOWN_REASONS.has(reason) || SAMPLE_REASONS.has(reason), reason).toBe(true);
    expect(snapshot.invalid.internal).toBeUndefined();
    expect(accepted).toBeGreaterThan(1000);
    for (const reason of KNOWN_REASONS) expect(snapshot.invalid[reason] ?? 0).toBeGreaterThan(0);
    // Bounded: history keeps 50 points a series, state one entry per valid rig id.
    expect(rigline.store.stats().written).toBeLessThanOrEqual(snapshot.stored + 10_000);
    expect(heapGrowthMb).toBeLessThan(512);
    // Every accepted rig id is a plain [a-z0-9-] id: nothing injection-shaped can become a tag, a key or an element id.
    for (const rig of rigline.state.rigsOf(undefined)) {
      expect(rig.rig).toMatch(ID_PATTERN);
      expect(rig.site).toMatch(ID_PATTERN);
    }
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('survives the same kind of traffic over the broker: every valid sample stored, every other message refused and counted by reason', { timeout: 120_000 }, async () => {
    const client = await mqtt.connectAsync(rigline.mqttUrl, { clientId: 'fuzz-over-mqtt' });

    // Messages whose outcome is known without asking the server, planted among the fuzz: valid samples at fresh
    // times (newer than anything the fuzz sends, inside the clock-skew bound) and one of each refusal reason.
    const t0 = Math.ceil(Date.now() / 1000) * 1000; // on a second, so each sample has its own 1 s history bucket
    const topicOf = (s: Sample): string => telemetryTopic(s.site, s.rig);
    const fresh: Sample[] = templates.flatMap((s) => [1000, 2000, 3000].map((dt) => ({ ...s, ts: t0 + dt })));
    const [site1, site2] = [templates.find((s) => s.site === 'site-01')!, templates.find((s) => s.site === 'site-02')!];
    const planted: Array<{ topic: string; payload: string; expect: string }> = [
      ...fresh.map((s) => ({ topic: topicOf(s), payload: JSON.stringify(s), expect: 'stored' })),
      { topic: topicOf(site1), payload: '{"schema":1,', expect: 'bad_json' },
      { topic: topicOf(site1), payload: '{"schema":2,"samples":[]}', expect: 'unknown_schema_version' },
      { topic: topicOf(site1), payload: '{"schema":1}', expect: 'schema' },
      { topic: topicOf(site1), payload: JSON.stringify({ ...site2, ts: t0 }), expect: 'topic_mismatch' },
      { topic: `rigline/v1/SITE-01/${site1.rig}/telemetry`, payload: JSON.stringify(site1), expect: 'bad_topic' },
      { topic: `rigline/v1/${site1.site}/${site1.rig}/config`, payload: JSON.stringify(site1), expect: 'broker_acl' },
    ];

    // The broker itself drops what is not a publishable topic (wildcards, empty); the ACL refuses non-rigline topics.
    // A message over mqtt.max_payload_bytes makes the embedded broker close the connection before buffering it
    // (counted oversized; test/security/session-takeover.test.ts): a QoS 1 publisher would resend it forever, so the
    // storm here stays under the limit (ingest's own check of oversized payloads is the test above).
    const size = (p: string | Buffer): number => (Buffer.isBuffer(p) ? p.length : Buffer.byteLength(p));
    const fuzz = fc
      .sample(fc.tuple(topicArb, payloadArb), { numRuns: 3000, seed: 7 })
      .filter(([t, p]) => t.length > 0 && !t.includes('#') && !t.includes('+') && !t.includes('\u0000') && size(p) <= MAX_PAYLOAD);
    const step = Math.floor(fuzz.length / planted.length);
    const sent: Array<{ topic: string; payload: Buffer; expect?: string }> = fuzz.flatMap(([topic, payload], i) => {
      const message = { topic, payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload) };
      const plant = i % step === 0 ? planted[i / step] : undefined;
      return plant ? [message, { topic: plant.topic, payload: Buffer.from(plant.payload), expect: plant.expect }] : [message];
    });
    expect(sent.length).toBe(fuzz.length + planted.length);

    // Watch each message ingest handles, in the order the broker delivers it: what it refused or stored.
    const delivered: Array<{ topic: string; payload: Buffer; refused: string[]; stored: number }> = [];
    const handle = rigline.ingest.handle.bind(rigline.ingest);
    rigline.ingest.handle = (topic, payload, durable) => {
      const before = rigline.counters.snapshot();
      handle(topic, payload, durable);
      const after = rigline.counters.snapshot();
      const refused = Object.keys(after.invalid).filter((r) => (after.invalid[r] ?? 0) > (before.invalid[r] ?? 0));
      delivered.push({ topic, payload, refused, stored: after.stored - before.stored });
    };
    const aclBefore = rigline.counters.invalidCount('unauthorized');
    const heapBefore = process.memoryUsage().heapUsed;
    try {
      for (const { topic, payload } of sent) await client.publishAsync(topic, payload, { qos: 1 });
      // Every PUBACK is in; each message is either handed to ingest or refused (and counted) by the broker's ACL.
      const brokerRefused = (): number => rigline.counters.invalidCount('unauthorized') - aclBefore - delivered.filter((d) => d.refused.includes('unauthorized')).length;
      await waitFor(() => (delivered.length + brokerRefused() === sent.length ? true : undefined), 20_000, 'every fuzz message handled or refused by the broker');
      console.log(`fuzz over MQTT: sent ${sent.length}, reached ingest ${delivered.length}, refused by broker ACL ${brokerRefused()}; heap growth ${((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20).toFixed(1)} MiB`);
    } finally {
      rigline.ingest.handle = handle;
    }

    // The broker delivers one publisher's QoS 1 messages in order and unaltered: what reached ingest is the sent
    // sequence less what the ACL refused. Each planted message had the outcome known in advance.
    let next = 0;
    const outcomes = new Map<string, number>();
    for (const d of delivered) {
      while (next < sent.length && !(sent[next]!.topic === d.topic && sent[next]!.payload.equals(d.payload))) {
        if (sent[next]!.expect) expect(sent[next]!.expect, `${sent[next]!.topic} refused by the broker`).toBe('broker_acl');
        next++;
      }
      expect(next, `delivered message not sent in this order: ${d.topic}`).toBeLessThan(sent.length);
      const messageReasons = d.refused.filter((r) => !SAMPLE_REASONS.has(r));
      expect(messageReasons.length, `${d.topic} refused for ${d.refused.join(', ')}`).toBeLessThanOrEqual(1);
      for (const reason of d.refused) expect(KNOWN_REASONS.has(reason) || SAMPLE_REASONS.has(reason) || reason === 'unauthorized', reason).toBe(true);
      if (messageReasons.length === 1) expect(d.stored).toBe(0);
      const outcome = messageReasons[0] ?? (d.stored > 0 ? 'stored' : 'samples_refused');
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      const plant = sent[next]!.expect;
      if (plant) expect(outcome, `planted ${sent[next]!.topic}: ${sent[next]!.payload.toString().slice(0, 60)}`).toBe(plant);
      if (plant === 'stored') expect(d.stored).toBe(1);
      next++;
    }
    for (const rest of sent.slice(next)) if (rest.expect) expect(rest.expect).toBe('broker_acl');
    console.log(`fuzz over MQTT outcomes: ${JSON.stringify(Object.fromEntries(outcomes))}`);
    expect(outcomes.get('stored') ?? 0).toBeGreaterThanOrEqual(fresh.length);

    // Every valid sample is in history, at its own time.
    for (const s of templates) {
      const points = await rigline.store.series({ scope: 'rig', id: s.rig, metric: 'power_kw', from: t0 + 1000, to: t0 + 4000, stepMs: 1000 });
      expect(points.filter((p) => p.value !== null).map((p) => p.ts), s.rig).toEqual([t0 + 1000, t0 + 2000, t0 + 3000]);
    }

    // Still connected and ingesting.
    expect(client.connected).toBe(true);
    const storedBefore = rigline.counters.stored;
    await client.publishAsync(topicOf(site1), JSON.stringify({ ...site1, ts: t0 + 4000 }), { qos: 1 });
    await waitFor(() => (rigline.counters.stored === storedBefore + 1 ? true : undefined), 10_000, 'a good sample after the storm');
    await client.endAsync();
  });

  it('answers hostile API requests with JSON errors, never a crash or a page', { timeout: 120_000 }, async () => {
    // encodeURIComponent throws on lone surrogates; send those as U+FFFD like a browser would.
    const enc = (value: string): string => encodeURIComponent(value.replace(/[\ud800-\udfff]/g, '\ufffd'));
    const paths = fc.oneof(
      fc.constantFrom('/api/fleet', '/api/sites', '/api/rigs', '/api/health', '/api/auth/login', '/api/auth/tokens', '/api/admin/agents', '/api/admin/users'),
      hostileString.map((s) => `/api/rigs/${enc(s)}`),
      hostileString.map((s) => `/api/sites/${enc(s)}/series?metric=${enc(s)}&from=${enc(s)}`),
      hostileString.map((s) => `/api/rigs?site=${enc(s)}`),
      fc.string({ maxLength: 40 }).map((s) => `/api/${enc(s)}`),
    );
    const bodies = fc.oneof(
      fc.constant(undefined),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.constantFrom('{', '{"username":', '[]', 'null', '{"__proto__":{"admin":true}}'),
      fc.record({ username: hostileString, password: hostileString, role: hostileString, site: hostileString, name: hostileString }).map((v) => JSON.stringify(v)),
      fc.integer({ min: 1, max: 20_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
      fc.constant('x'.repeat(1_100_000)),
    );
    const requests = fc.sample(fc.tuple(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'), paths, bodies, fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded')), { numRuns: 2000, seed: 99 });
    const statuses = new Map<number, number>();
    for (const [method, path, body, type] of requests) {
      const res = await fetch(`${rigline.httpUrl}${path}`, { method, body: method === 'GET' ? undefined : body, headers: { 'content-type': type } });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status).toBeLessThan(500);
      if (res.status === 204) continue;
      // JSON with nosniff: an HTML payload echoed in an error message is data, never markup.
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const parsed = (await res.json()) as { error?: { code?: unknown } };
      if (res.status >= 400) expect(typeof parsed.error?.code).toBe('string');
    }
    console.log(`fuzz API: sent ${requests.length} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
    expect((await fetch(`${rigline.httpUrl}/api/health`)).status).toBe(200);
  });
});
