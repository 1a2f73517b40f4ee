import {
  AgentStatus,
  SCHEMA_VERSION,
  TelemetryMessage,
  parseTopic,
  type ParsedTopic,
  type Sample,
  type AgentStatus as AgentStatusType,
  type TelemetryMessage as TelemetryMessageType,
} from '../contract/index.js';
import { parseBatchBySample } from './parse-batch.js';
import { compileGuard } from './zod-guard.js';

/** Why a message was dropped. Stable names: /api/health reports counts under them. */
export type InvalidReason =
  | 'bad_topic'
  | 'oversized'
  | 'bad_json'
  | 'unknown_schema_version'
  | 'schema'
  | 'topic_mismatch';

export type Decoded =
  | { ok: true; kind: 'telemetry'; site: string; source: string; samples: Sample[] }
  | { ok: true; kind: 'status'; site: string; source: string; status: AgentStatusType }
  | { ok: false; reason: InvalidReason; detail: string };

/** The contract's own schema as an allocation-free check: what it accepts, zod would return unchanged (zod-guard.ts). */
const telemetryGuard = compileGuard(TelemetryMessage);

const fail = (reason: InvalidReason, detail: string): Decoded => ({ ok: false, reason, detail });

/**
 * Valid topics already parsed, by topic string: an agent publishes on the same topic every interval, and splitting
 * and checking it each time cost ~0.5 µs a message. It also hands on the same site and rig strings each time, which
 * live state then keeps instead of a copy per message. Bounded: when full it starts over (a publisher cycling through
 * made-up topics only costs the parse again).
 */
const knownTopics = new Map<string, ParsedTopic>();
const KNOWN_TOPICS_MAX = 200_000;

function parseTopicKnown(topic: string): ParsedTopic | null {
  const known = knownTopics.get(topic);
  if (known) return known;
  const parsed = parseTopic(topic);
  if (parsed) {
    if (knownTopics.size >= KNOWN_TOPICS_MAX) knownTopics.clear();
    knownTopics.set(topic, parsed);
  }
  return parsed;
}

function schemaVersionOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? (value as { schema?: unknown }).schema : undefined;
}

/**
 * Decodes one MQTT message. Pure and total: every input yields samples or exactly one reason, and nothing throws,
 * so a hostile publisher can never stop ingest.
 */
export function decodeMessage(topic: string, payload: Buffer, maxBytes: number): Decoded {
  const parsedTopic = parseTopicKnown(topic);
  if (!parsedTopic) return fail('bad_topic', `not a rigline v1 topic: ${topic.slice(0, 200)}`);
  if (payload.length > maxBytes) return fail('oversized', `${payload.length} bytes > ${maxBytes}`);

  // A controller's batch in the agents' own form is parsed sample by sample (same result, far cheaper: parse-batch.ts).
  let json: unknown = parseBatchBySample(payload);
  if (json === null) {
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch (err) {
      return fail('bad_json', (err as Error).message);
    }
  }
  if (schemaVersionOf(json) !== SCHEMA_VERSION) {
    return fail('unknown_schema_version', `schema ${JSON.stringify(schemaVersionOf(json)) ?? 'missing'}`);
  }
  const { site, rig: source, channel } = parsedTopic;

  if (channel === 'status') {
    const status = AgentStatus.safeParse(json);
    if (!status.success) return fail('schema', status.error.issues[0]?.message ?? 'invalid status');
    return { ok: true, kind: 'status', site, source, status: status.data };
  }

  if (Array.isArray((json as { samples?: unknown }).samples)) {
    for (const sample of (json as { samples: unknown[] }).samples) {
      if (schemaVersionOf(sample) !== SCHEMA_VERSION) return fail('unknown_schema_version', 'sample in batch');
    }
  }
  let data: TelemetryMessageType;
  if (telemetryGuard?.(json)) data = json as TelemetryMessageType;
  else {
    // Not provably valid as it stands: zod decides, strips unknown keys and words the error.
    const message = TelemetryMessage.safeParse(json);
    if (!message.success) {
      const issue = message.error.issues[0];
      return fail('schema', issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid telemetry');
    }
    data = message.data;
  }
  const samples = 'samples' in data ? data.samples : [data];
  // A single-rig message must name the topic's rig; a controller's batch must stay within the topic's site.
  const single = !('samples' in data);
  for (const sample of samples) {
    if (sample.site !== site) return fail('topic_mismatch', `sample site ${sample.site} on topic site ${site}`);
    if (single && sample.rig !== source) return fail('topic_mismatch', `sample rig ${sample.rig} on topic rig ${source}`);
    // The same text, as the known topic's own strings: every Map lookup downstream (ownership, dedupe, series heads,
    // live state: some ten a sample) then finds its key by identity, with the hash already computed, instead of
    // hashing and comparing this message's fresh copy each time.
    sample.site = site;
    if (single) sample.rig = source;
  }
  return { ok: true, kind: 'telemetry', site, source, samples };
}
