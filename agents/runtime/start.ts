import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { startAgentMetrics } from '../metrics/agent-metrics.js';
import { SeqAllocator } from '../spool/seq.js';
import { Spool } from '../spool/spool.js';
import type { PollSource } from '../source.js';
import { Agent } from './agent.js';
import type { AgentConfig } from './config.js';
import { logBrokerConnection, redact } from './broker-log.js';
import { buildSources } from './sources.js';
import { attachCommands } from './command-wiring.js';
import type { MinerActionRunner } from './commands.js';
import { AGENT_REDACT_PATHS } from './redact.js';
import { publisherTransport } from './transport.js';

export interface StartAgentOptions {
  log?: Logger;
  /** Sources to use instead of the config's (tests, benchmarks). */
  sources?: PollSource[];
  /** Replaces the miner action runner (tests). */
  runAction?: MinerActionRunner;
}

/** Opens the spool, builds the sources, connects to the broker and starts polling. */
export async function startAgent(config: AgentConfig, options: StartAgentOptions = {}): Promise<Agent> {
  const log = options.log ?? pino({ name: 'rigline-agent', level: config.log.level, redact: { paths: AGENT_REDACT_PATHS, censor: '[redacted]' } }, pino.destination(2));
  // Optional /metrics: prom-client is loaded only when metrics.port is set.
  const metrics = config.metrics.port === undefined ? null : await startAgentMetrics({ ...config.metrics, port: config.metrics.port }, log);
  const built = options.sources ?? buildSources(config);
  const sources = metrics ? metrics.meter(built) : built;
  const spool = await Spool.open({ dir: config.spool.dir, maxBytes: Math.round(config.spool.max_mb * 1024 * 1024) });
  const seq = new SeqAllocator(join(config.spool.dir), spool.highestSeq);
  const backlog = spool.stats();
  if (backlog.records > 0) log.info({ samples: backlog.samples, bytes: backlog.bytes }, 'spool holds samples from an earlier run');
  const transport = metrics ? metrics.meterTransport(publisherTransport(config)) : publisherTransport(config);
  logBrokerConnection(transport.publisher, log);
  const agent = new Agent({
    site: config.site,
    agentId: config.agent_id,
    intervalMs: config.interval_s * 1000,
    timeoutMs: config.timeout_ms,
    batchWindowMs: Math.min(config.batch_window_ms, config.timeout_ms),
    ackTimeoutMs: config.mqtt.ack_timeout_ms,
    maxInFlight: config.mqtt.max_in_flight,
    maxSamplesPerMessage: config.mqtt.max_samples_per_message,
    sources,
    spool,
    seq,
    transport,
    log,
  });
  metrics?.attach(() => agent.stats());
  attachCommands(config, transport.publisher, log, options.runAction);
  agent.start();
  log.info({ site: config.site, agent: config.agent_id, sources: sources.length, broker: redact(config.mqtt.url) }, 'agent started');
  return agent;
}
