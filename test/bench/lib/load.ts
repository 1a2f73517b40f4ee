import mqtt, { type MqttClient } from 'mqtt';
import { FleetModel } from '../../../agents/sim/simulator.js';
import { telemetryTopic, type Sample } from '../../../server/contract/index.js';

/**
 * Realistic telemetry for the ingest benchmark: the simulator's fleet (mixed ASIC models, one 8-GPU node in 25,
 * 2% faults), serialised once per site with a placeholder for the timestamp, so the generator spends its CPU on
 * publishing, not on simulating. Each message carries the time it was published as the samples' `ts`, which the
 * server's publish → stored lag is measured from.
 */
const TS_MARK = 1_111_111_111_111;

export interface Payload {
  topic: string;
  parts: string[];
  samples: number;
}

export function fleetPayloads(sites: number, rigsPerSite: number, mode: 'batched' | 'single'): { payloads: Payload[]; points: number } {
  const model = new FleetModel({ sites, rigsPerSite, seed: 7, intervalMs: 1000, faultRate: 0.02, gpuEvery: 25 });
  const payloads: Payload[] = [];
  let points = 0;
  for (const site of model.sites) {
    const samples = model.samplesAt(site, 1, TS_MARK);
    for (const s of samples) points += 1 + (s.kind === 'asic' ? s.boards.length + s.pools.length : s.gpus.length);
    if (mode === 'batched') {
      for (let i = 0; i < samples.length; i += 1000) {
        const chunk = samples.slice(i, i + 1000);
        payloads.push({ topic: telemetryTopic(site.id, 'controller'), parts: JSON.stringify({ schema: 1, samples: chunk }).split(String(TS_MARK)), samples: chunk.length });
      }
    } else {
      for (const s of samples as Sample[]) payloads.push({ topic: telemetryTopic(site.id, s.rig), parts: JSON.stringify(s).split(String(TS_MARK)), samples: 1 });
    }
  }
  return { payloads, points };
}

export async function connectPublishers(url: string, count: number): Promise<MqttClient[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) => mqtt.connectAsync(url, { clientId: `bench-pub-${i}-${process.pid}`, clean: true, protocolVersion: 4, reconnectPeriod: 0 })),
  );
}

function publish(client: MqttClient, payload: Payload, ts: number): Promise<void> {
  return new Promise((resolve, reject) => {
    client.publish(payload.topic, payload.parts.join(String(ts)), { qos: 1 }, (err) => (err ? reject(err) : resolve()));
  });
}

/** Publishes every payload once, as fast as QoS 1 acknowledgements allow (`window` messages in flight). */
export async function publishAll(clients: MqttClient[], payloads: Payload[], window = 200): Promise<number> {
  let next = 0;
  let samples = 0;
  const worker = async (client: MqttClient): Promise<void> => {
    while (next < payloads.length) {
      const payload = payloads[next++] as Payload;
      await publish(client, payload, Date.now());
      samples += payload.samples;
    }
  };
  const lanes = Array.from({ length: Math.min(window, payloads.length) }, (_, i) => worker(clients[i % clients.length] as MqttClient));
  await Promise.all(lanes);
  return samples;
}

/**
 * Publishes the whole fleet once per `intervalMs` for `seconds`, spreading messages evenly over each interval as
 * a real fleet's agents do. Returns samples published and how far behind schedule the generator fell.
 */
export async function publishAtRate(clients: MqttClient[], payloads: Payload[], intervalMs: number, seconds: number): Promise<{ samples: number; maxBehindMs: number }> {
  const start = Date.now();
  const total = Math.floor((seconds * 1000) / intervalMs) * payloads.length;
  const spacing = intervalMs / payloads.length;
  let samples = 0;
  let maxBehindMs = 0;
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + i * spacing;
    const wait = due - Date.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    else maxBehindMs = Math.max(maxBehindMs, -wait);
    const payload = payloads[i % payloads.length] as Payload;
    const client = clients[i % clients.length] as MqttClient;
    pending.push(publish(client, payload, Date.now()).then(() => void (samples += payload.samples)));
    if (pending.length >= 2000) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  return { samples, maxBehindMs };
}
