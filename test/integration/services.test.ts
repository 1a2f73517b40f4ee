import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasService, startInfluxDb, startMosquitto, type Service } from '../helpers/services.js';

describe.skipIf(!hasService('mosquitto', 'mosquitto'))('test harness: real Mosquitto', () => {
  let broker: Service;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => broker?.dispose());

  it('queues QoS 1 messages for a persistent session across a broker restart', async () => {
    const sub = await mqtt.connectAsync(broker.url, { clientId: 'harness-sub', clean: false });
    await sub.subscribeAsync('t/#', { qos: 1 });
    await sub.endAsync();
    const pub = await mqtt.connectAsync(broker.url, { clientId: 'harness-pub' });
    for (let i = 0; i < 50; i++) await pub.publishAsync('t/x', String(i), { qos: 1 });
    await pub.endAsync();
    await new Promise((r) => setTimeout(r, 1500)); // autosave_interval 1 s
    await broker.stop();
    await broker.start();
    const got: string[] = [];
    const again = mqtt.connect(broker.url, { clientId: 'harness-sub', clean: false });
    again.on('message', (_t, p) => got.push(p.toString()));
    await new Promise((r) => setTimeout(r, 1000));
    await again.endAsync();
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
  });
});

describe.skipIf(!hasService('influxd', 'influxdb'))('test harness: real InfluxDB 1.x', () => {
  let influx: Service;
  beforeAll(async () => {
    influx = await startInfluxDb();
  });
  afterAll(async () => influx?.dispose());

  it('accepts line protocol on /write and answers InfluxQL on /query', async () => {
    await fetch(`${influx.url}/query?q=${encodeURIComponent('CREATE DATABASE h')}`, { method: 'POST' });
    const write = await fetch(`${influx.url}/write?db=h&precision=ms`, { method: 'POST', body: 'm,site=a v=1.5 1700000000000' });
    expect(write.status).toBe(204);
    const res = await fetch(`${influx.url}/query?db=h&q=${encodeURIComponent('SELECT v FROM m')}`);
    const body = (await res.json()) as { results: { series: { values: [string, number][] }[] }[] };
    expect(body.results[0]?.series[0]?.values[0]?.[1]).toBe(1.5);
  });
});
