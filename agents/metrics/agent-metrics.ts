import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Counter, Histogram, Registry } from 'prom-client';
import type { PollSource } from '../source.js';
import type { AgentStats, AgentTransport } from '../runtime/agent.js';
import type { AgentMetricsConfig } from './config.js';

/** Seconds from publish to the broker's PUBACK: milliseconds on a LAN, up to the ack timeout when it is slow. */
const ACK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60];
const POLL_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface AgentMetrics {
  /** Counts each source's polls and failures and times them. */
  meter(sources: PollSource[]): PollSource[];
  /** Times each publish until its PUBACK and remembers when the broker last acknowledged one. */
  meterTransport<T extends AgentTransport>(transport: T): T;
  /** Reads the agent's own figures (rounds, spool depth, backlog, lost) at each scrape. */
  attach(stats: () => AgentStats): void;
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the agent's /metrics listener (prom-client, loaded only here so an agent without `metrics.port` never
 * pays for it). Figures: polls and failures per source, poll duration, rounds, samples published live and
 * replayed, spool depth (records, samples, bytes, dropped), backlog, lost samples, publish → PUBACK latency and the
 * seconds since the broker last acknowledged a publish (publish lag: grows while the broker is away).
 */
export async function startAgentMetrics(config: AgentMetricsConfig & { port: number }, log: Pick<Logger, 'info'>): Promise<AgentMetrics> {
  const prom = await import('prom-client');
  const registry: Registry = new prom.Registry();
  prom.collectDefaultMetrics({ register: registry });
  const polls: Counter = new prom.Counter({ name: 'rigline_agent_polls_total', help: 'Source polls by rig and outcome', labelNames: ['rig', 'source', 'outcome'], registers: [registry] });
  const pollSeconds: Histogram = new prom.Histogram({ name: 'rigline_agent_poll_duration_seconds', help: 'Source poll duration', buckets: POLL_BUCKETS, registers: [registry] });
  const ackSeconds: Histogram = new prom.Histogram({ name: 'rigline_agent_publish_ack_seconds', help: 'Publish to PUBACK', buckets: ACK_BUCKETS, registers: [registry] });
  let lastAckMs: number | null = null;
  const started = Date.now();
  new prom.Gauge({
    name: 'rigline_agent_publish_lag_seconds',
    help: 'Seconds since the broker last acknowledged a publish (since start if none yet)',
    registers: [registry],
    collect() {
      this.set((Date.now() - (lastAckMs ?? started)) / 1000);
    },
  });
  let read: (() => AgentStats) | null = null;
  const figure = (name: string, help: string, pick: (s: AgentStats) => number, type: 'counter' | 'gauge'): void => {
    if (type === 'gauge') {
      new prom.Gauge({ name, help, registers: [registry], collect() { if (read) this.set(pick(read())); } });
      return;
    }
    let seen = 0;
    new prom.Counter({
      name,
      help,
      registers: [registry],
      collect() {
        if (!read) return;
        const now = pick(read());
        this.inc(Math.max(0, now - seen));
        seen = Math.max(seen, now);
      },
    });
  };
  figure('rigline_agent_rounds_total', 'Poll rounds', (s) => s.rounds, 'counter');
  figure('rigline_agent_samples_total', 'Samples taken from sources', (s) => s.samples, 'counter');
  figure('rigline_agent_published_live_samples_total', 'Samples acknowledged live', (s) => s.publishedLive, 'counter');
  figure('rigline_agent_replayed_samples_total', 'Samples replayed from the spool and acknowledged', (s) => s.replayed, 'counter');
  figure('rigline_agent_lost_samples_total', 'Samples neither spooled nor acknowledged', (s) => s.lost, 'counter');
  figure('rigline_agent_failing_sources', 'Sources whose last poll failed', (s) => s.failingSources, 'gauge');
  figure('rigline_agent_backlog_messages', 'Spooled messages awaiting replay', (s) => s.backlog, 'gauge');
  figure('rigline_agent_spool_records', 'Messages in the spool', (s) => s.spool.records, 'gauge');
  figure('rigline_agent_spool_samples', 'Samples in the spool', (s) => s.spool.samples, 'gauge');
  figure('rigline_agent_spool_bytes', 'Spool size on disk', (s) => s.spool.bytes, 'gauge');
  figure('rigline_agent_spool_dropped_samples_total', 'Samples dropped from a full spool', (s) => s.spool.droppedSamples, 'counter');

  const server: Server = createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/metrics' || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics is served here\n');
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  server.unref(); // never keeps the agent alive on its own
  const url = `http://${config.host}:${(server.address() as AddressInfo).port}/metrics`;
  log.info({ url }, 'agent metrics listener');

  return {
    url,
    meter: (sources) =>
      sources.map((source) => ({
        rig: source.rig,
        description: source.description,
        close: source.close?.bind(source),
        async poll() {
          const end = pollSeconds.startTimer();
          const result = await source.poll();
          end();
          polls.inc({ rig: source.rig, source: source.description, outcome: result.ok ? 'ok' : 'failed' });
          return result;
        },
      })),
    meterTransport: (transport) => {
      const publishRaw = transport.publishRaw.bind(transport);
      transport.publishRaw = async (topic, payload) => {
        const end = ackSeconds.startTimer();
        await publishRaw(topic, payload);
        end();
        lastAckMs = Date.now();
      };
      return transport;
    },
    attach: (stats) => void (read = stats),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
