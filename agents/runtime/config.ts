import { z } from 'zod';
import { LogConfig, readYamlMapping } from '../../server/config/yaml-file.js';
import { RigId, SiteId, toId } from '../../server/contract/index.js';
import { AgentMetricsConfig } from '../metrics/config.js';
import { MINER_FAMILIES } from '../cgminer/families.js';

/** Every agent setting with its default. config/agent.example.yaml documents each key. */
const port = z.number().int().min(1).max(65535);

const CgminerSourceConfig = z
  .object({
    type: z.literal('cgminer'),
    host: z.string().min(1),
    port: port.default(4028),
    /** Rig id the miner is published under; defaults to the host turned into an id (10.0.0.21 → 10-0-0-21). */
    rig: RigId.optional(),
    /** Miner API password for actions (Whatsminer admin password); overrides actions.miner_password. Never sent or logged. */
    password: z.string().min(1).max(256).optional(),
    /** Miner family for actions, when detection should be skipped (luxos, whatsminer, avalon, braiins, …). */
    family: z.enum(MINER_FAMILIES).optional(),
  })
  .strict();

const NvidiaSmiSourceConfig = z
  .object({
    type: z.literal('nvidia-smi'),
    path: z.string().min(1).default('nvidia-smi'),
    /** 'xml' (`-q -x`: every figure, MIG instances), 'csv' (`--query-gpu`: lighter, whole GPUs only), 'text' (`-q`). */
    format: z.enum(['xml', 'csv', 'text']).default('xml'),
    rig: RigId,
    /** DCGM exporter metrics URL (e.g. http://127.0.0.1:9400/metrics): adds last Xid and MIG utilization. */
    dcgm_url: z.string().url().optional(),
    /** Where the server model name is read from; '' to leave host_model unknown. */
    host_model_file: z.string().default('/sys/class/dmi/id/product_name'),
  })
  .strict();

const DcgmSourceConfig = z
  .object({
    type: z.literal('dcgm'),
    /** A DCGM exporter's metrics URL, for GPU nodes the agent cannot run nvidia-smi on (e.g. a Kubernetes node). */
    url: z.string().url(),
    rig: RigId,
  })
  .strict();

const InferenceSourceConfig = z
  .object({
    type: z.literal('inference'),
    /** The GPU node the server runs on: its block joins that rig's nvidia-smi or DCGM sample, or stands alone. */
    rig: RigId,
    /** The server's Prometheus endpoint, e.g. http://127.0.0.1:8000/metrics (vLLM). */
    url: z.string().url().refine((u) => /^https?:/i.test(u), 'must be an http(s) URL'),
    server: z.enum(['auto', 'vllm', 'sglang', 'tgi', 'triton', 'nim', 'llamacpp']).default('auto'),
  })
  .strict();

export const AgentConfigSchema = z
  .object({
    site: SiteId,
    /** This agent's id: the MQTT topic's source segment, its status topic, and the default client id. */
    agent_id: RigId,
    /** Seconds between polls of every source. */
    interval_s: z.number().min(0.1).max(3600).default(10),
    /** Per-source poll timeout; a source that has not answered by then is reported as failed for that round. */
    timeout_ms: z.number().int().min(50).max(600_000).default(5000),
    /** How long results of a round are gathered into one message before the round's early answers are sent. */
    batch_window_ms: z.number().int().min(0).max(60_000).default(1000),
    mqtt: z
      .object({
        url: z.string().url().default('mqtt://127.0.0.1:1883'),
        username: z.string().optional(),
        password: z.string().optional(),
        client_id: z.string().min(1).max(128).optional(),
        tls: z
          .object({
            /** PEM files: CA bundle to trust, and client certificate and key for mutual TLS. */
            ca: z.string().optional(),
            cert: z.string().optional(),
            key: z.string().optional(),
            reject_unauthorized: z.boolean().default(true),
          })
          .strict()
          .optional(),
        reconnect: z
          .object({ initial_ms: z.number().int().min(10).default(500), max_ms: z.number().int().min(10).default(30_000) })
          .strict()
          .prefault({}),
        /** A publish the broker has not acknowledged within this time goes back to the spool for replay. */
        ack_timeout_ms: z.number().int().min(100).max(600_000).default(15_000),
        /** Replayed messages awaiting acknowledgement at once. */
        max_in_flight: z.number().int().min(1).max(1000).default(16),
        /** Samples per MQTT message (the server accepts up to 5000). */
        max_samples_per_message: z.number().int().min(1).max(5000).default(500),
      })
      .strict()
      .prefault({}),
    sources: z.array(z.discriminatedUnion('type', [CgminerSourceConfig, NvidiaSmiSourceConfig, DcgmSourceConfig, InferenceSourceConfig])).min(1, 'list at least one source'),
    spool: z
      .object({
        dir: z.string().min(1).default('/var/lib/rigline-agent/spool'),
        /** On-disk limit; past it the oldest spooled samples are dropped (and counted) first. */
        max_mb: z.number().min(1).max(1_000_000).default(256),
      })
      .strict()
      .prefault({}),
    /** Optional Prometheus /metrics (agents/metrics/config.ts). */
    metrics: AgentMetricsConfig,
    /** Operator actions (issue 14): off unless enabled, so a read-only deployment stays read-only. */
    actions: z
      .object({
        enabled: z.boolean().default(false),
        /** Limit for one action against one miner (all its requests). */
        timeout_ms: z.number().int().min(100).max(600_000).default(15_000),
        /** Default miner API password (Whatsminer admin); sources[].password overrides it. Never sent or logged. */
        miner_password: z.string().min(1).max(256).optional(),
        /** Command ids remembered (journal under spool.dir) so a repeated id never runs twice. */
        remember: z.number().int().min(100).max(1_000_000).default(10_000),
      })
      .strict()
      .prefault({}),
    log: LogConfig,
  })
  .strict();

export type AgentConfig = z.infer<typeof AgentConfigSchema>;
export type AgentConfigInput = z.input<typeof AgentConfigSchema>;
export type SourceConfig = AgentConfig['sources'][number];

export class AgentConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid agent configuration:\n${problems.join('\n')}`);
  }
}

function crossFieldProblems(config: AgentConfig): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const rigs = new Map<string, number>();
  config.sources.forEach((source, i) => {
    const key =
      source.type === 'cgminer' ? `${source.host}:${source.port}` : source.type === 'dcgm' || source.type === 'inference' ? source.url : `nvidia-smi:${source.path}`;
    const first = seen.get(key);
    if (first !== undefined) return void problems.push(`sources.${i}: duplicates sources.${first} (${key})`);
    seen.set(key, i);
    const rig = sourceRig(source);
    // An inference server joins its node's GPU sample: it shares the rig of that node's GPU source (checked below).
    if (source.type === 'inference') return;
    const owner = rigs.get(rig);
    if (owner !== undefined) problems.push(`sources.${i}.rig: ${rig} is already the rig of sources.${owner}`);
    else rigs.set(rig, i);
  });
  problems.push(...inferenceRigProblems(config));
  if (config.mqtt.reconnect.max_ms < config.mqtt.reconnect.initial_ms) {
    problems.push('mqtt.reconnect.max_ms: must not be below mqtt.reconnect.initial_ms');
  }
  return problems;
}

/** One inference server per rig, and never on a miner's rig id. */
function inferenceRigProblems(config: AgentConfig): string[] {
  const problems: string[] = [];
  const byRig = new Map<string, number>();
  config.sources.forEach((source, i) => {
    if (source.type !== 'inference') return;
    const first = byRig.get(source.rig);
    if (first !== undefined) return void problems.push(`sources.${i}.rig: ${source.rig} already has the inference server of sources.${first}`);
    byRig.set(source.rig, i);
    const miner = config.sources.findIndex((s) => s.type === 'cgminer' && sourceRig(s) === source.rig);
    if (miner >= 0) problems.push(`sources.${i}.rig: ${source.rig} is the ASIC rig of sources.${miner}, not a GPU node`);
  });
  return problems;
}

/** The rig id a source publishes under (a cgminer source without one uses its host as an id). */
export function sourceRig(source: SourceConfig): string {
  return source.type === 'cgminer' ? (source.rig ?? toId(source.host)) : source.rig;
}

/** Validates a raw config object; throws AgentConfigError with one `path: reason` line per problem. */
export function parseAgentConfig(raw: unknown): AgentConfig {
  const result = AgentConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new AgentConfigError(result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`));
  }
  const problems = crossFieldProblems(result.data);
  if (problems.length > 0) throw new AgentConfigError(problems);
  return result.data;
}

/** Reads and validates a YAML file. MQTT_URL, MQTT_USERNAME and MQTT_PASSWORD in the environment override the file. */
export function loadAgentConfig(file: string, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const read = readYamlMapping(file);
  if ('problem' in read) throw new AgentConfigError([read.problem]);
  const config = read.value;
  const mqtt = { ...((config.mqtt as Record<string, unknown> | undefined) ?? {}) };
  if (env.MQTT_URL) mqtt.url = env.MQTT_URL;
  if (env.MQTT_USERNAME) mqtt.username = env.MQTT_USERNAME;
  if (env.MQTT_PASSWORD) mqtt.password = env.MQTT_PASSWORD;
  return parseAgentConfig({ ...config, mqtt });
}
