import { z } from 'zod';
import { ID_PATTERN, RigId } from './ids.js';
import { TOPIC_ROOT } from './topics.js';

/**
 * Operator actions on rigs (issue 14). The server publishes a command on `rigline/v1/{site}/{agent}/command`
 * (QoS 1), where {agent} is the agent's MQTT credential username (its client id, see issue 10); the agent runs it
 * against the miner and answers on `rigline/v1/{site}/{agent}/command/result`. Miner passwords and tokens never
 * travel: they live in the agent's config.
 */
export const ACTION_NAMES = ['restart', 'pool_switch', 'pool_set', 'sleep', 'wake', 'power_target'] as const;
export const ActionName = z.enum(ACTION_NAMES);
export type ActionName = z.infer<typeof ActionName>;

const PoolUrl = z
  .string()
  .min(1)
  .max(256)
  .regex(/^(stratum\+(tcp|ssl|tls)|stratum2\+tcp|tcp|ssl):\/\/[^\s,]+$/i, 'must be a stratum URL such as stratum+tcp://host:3333');
/** Pool worker user and password: no commas or control characters (the cgminer API separates parameters by ','). */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const PoolField = z.string().max(128).regex(/^[^,\x00-\x1f]*$/, 'no commas or control characters');
export const PoolEntry = z.object({ url: PoolUrl, user: PoolField.min(1), password: PoolField.default('x') }).strict();
export type PoolEntry = z.infer<typeof PoolEntry>;

/** An action and its parameters, as the REST body gives it (`{ action, ...params }`) and as commands carry it. */
export const ActionRequest = z.discriminatedUnion('action', [
  z.object({ action: z.literal('restart') }).strict(),
  z.object({ action: z.literal('sleep') }).strict(),
  z.object({ action: z.literal('wake') }).strict(),
  /** Index of the pool in the miner's own pool list (cgminer `switchpool|N`). */
  z.object({ action: z.literal('pool_switch'), pool: z.number().int().min(0).max(15) }).strict(),
  z.object({ action: z.literal('pool_set'), pools: z.array(PoolEntry).min(1).max(3) }).strict(),
  /** Exactly one of watts (absolute power limit) or percent (of the miner's nominal power). */
  z
    .object({
      action: z.literal('power_target'),
      watts: z.number().int().min(100).max(30_000).optional(),
      percent: z.number().int().min(1).max(100).optional(),
    })
    .strict()
    .refine((v) => (v.watts === undefined) !== (v.percent === undefined), 'give exactly one of watts or percent'),
]);
export type ActionRequest = z.infer<typeof ActionRequest>;

/** Why an action did not run or did not succeed; `unsupported_action` is decided before anything is sent. */
export const ACTION_RESULT_CODES = [
  'ok',
  'unsupported_action',
  'actions_disabled',
  'unknown_rig',
  'expired',
  'miner_error',
  'unreachable',
  'interrupted',
  'invalid_command',
] as const;
export const ActionResultCode = z.enum(ACTION_RESULT_CODES);
export type ActionResultCode = z.infer<typeof ActionResultCode>;

const CommandId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'letters, digits, _ and -, 8 to 64 characters');

/** Published by the server on the agent's command topic. `expires_ms`: epoch ms after which it must never run. */
export const ActionCommand = z
  .object({
    schema: z.literal(1),
    id: CommandId,
    rig: RigId,
    request: ActionRequest,
    requester: z.string().min(1).max(64),
    created_ms: z.number().int().positive(),
    expires_ms: z.number().int().positive(),
  })
  .strict();
export type ActionCommand = z.infer<typeof ActionCommand>;

/** What the miner answered, cut to a bounded size (the agent never forwards more than this). */
export const MAX_ANSWER_CHARS = 4096;

export const ActionResult = z
  .object({
    schema: z.literal(1),
    id: CommandId,
    rig: RigId,
    ok: z.boolean(),
    code: ActionResultCode,
    message: z.string().max(1024),
    /** The miner family the agent acted through (luxos, whatsminer…), null when it never reached the miner. */
    family: z.string().max(32).nullable(),
    /** The miner's last answer (parsed JSON), or null. */
    answer: z.unknown(),
    finished_ms: z.number().int().positive(),
  })
  .strict();
export type ActionResult = z.infer<typeof ActionResult>;

export const ACTION_STATES = ['queued', 'sent', 'done', 'failed', 'expired'] as const;
export const ActionState = z.enum(ACTION_STATES);
export type ActionState = z.infer<typeof ActionState>;

/** GET /api/actions/:id and each item of GET /api/actions (the audit record). Pool passwords are shown as '***'. */
export const ActionRecord = z.object({
  id: z.string(),
  rig: z.string(),
  site: z.string(),
  /** The agent (credential username) the command went to; null while none is known. */
  agent: z.string().nullable(),
  action: ActionName,
  params: z.record(z.string(), z.unknown()),
  state: ActionState,
  by: z.string(),
  created: z.string(),
  sent: z.string().nullable(),
  finished: z.string().nullable(),
  expires: z.string(),
  result: z.object({ ok: z.boolean(), code: z.string(), message: z.string(), family: z.string().nullable(), answer: z.unknown() }).nullable(),
  /** The bulk run this action belongs to, if any. */
  bulk: z.string().nullable(),
});
export type ActionRecord = z.infer<typeof ActionRecord>;

export const ActionList = z.object({ total: z.number().int(), offset: z.number().int(), limit: z.number().int(), items: z.array(ActionRecord) });
export type ActionList = z.infer<typeof ActionList>;

/** POST /api/rigs/:id/actions → 202. */
export const ActionAccepted = z.object({ id: z.string(), state: z.literal('queued') });

/** POST /api/sites/:id/actions body: an action plus the site table's filters (or explicit rigs) and a pace. */
export const BulkActionRequest = z
  .object({
    action: ActionRequest,
    rigs: z.array(RigId).max(100_000).optional(),
    status: z.array(z.enum(['online', 'offline', 'degraded'])).max(3).optional(),
    model: z.array(z.string().max(512)).max(100).optional(),
    firmware: z.array(z.string().max(512)).max(100).optional(),
    q: z.string().max(200).optional(),
    /** At most this share of the site's rigs per minute (default from config actions.bulk_pace_pct). */
    pace_pct_per_minute: z.number().min(0.1).max(100).optional(),
  })
  .strict();
export type BulkActionRequest = z.infer<typeof BulkActionRequest>;

export const BulkProgress = z.object({
  id: z.string(),
  site: z.string(),
  action: ActionName,
  by: z.string(),
  created: z.string(),
  state: z.enum(['running', 'done', 'cancelled']),
  total: z.number().int(),
  /** Rigs whose command has been issued so far (the pace limits this). */
  issued: z.number().int(),
  done: z.number().int(),
  failed: z.number().int(),
  per_window: z.number().int(),
  window_ms: z.number().int(),
});
export type BulkProgress = z.infer<typeof BulkProgress>;

export function commandTopic(site: string, agent: string): string {
  return `${TOPIC_ROOT}/${site}/${agent}/command`;
}
export function commandResultTopic(site: string, agent: string): string {
  return `${TOPIC_ROOT}/${site}/${agent}/command/result`;
}
export const COMMAND_RESULT_SUBSCRIPTION = `${TOPIC_ROOT}/+/+/command/result`;

/**
 * Agent usernames (credential names) may use letters, digits, `.`, `_`, `-`; a topic level must not contain `+`,
 * `#` or `/`, which the credential alphabet already excludes.
 */
const AGENT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/;

/** Parses `rigline/v1/{site}/{agent}/command/result`; null for anything else. */
export function parseCommandResultTopic(topic: string): { site: string; agent: string } | null {
  // Every telemetry message passes here first: rule it out without splitting the topic.
  if (!topic.endsWith('/command/result')) return null;
  const parts = topic.split('/');
  if (parts.length !== 6 || `${parts[0]}/${parts[1]}` !== TOPIC_ROOT || parts[4] !== 'command' || parts[5] !== 'result') return null;
  const site = parts[2] as string;
  const agent = parts[3] as string;
  return ID_PATTERN.test(site) && AGENT_NAME.test(agent) ? { site, agent } : null;
}

/** GET /api/sites/:id/curtailment: what curtailment decided last, next to what telemetry measures. */
export const CurtailmentStatus = z.object({
  site: z.string(),
  enabled: z.boolean(),
  dry_run: z.boolean(),
  at: z.string().nullable(),
  price_usd_per_mwh: z.number().nullable(),
  threshold_usd_per_mwh: z.number().nullable(),
  /** 'configured' or 'break_even' (the planner's break-even power price at the site's measured efficiency). */
  threshold_source: z.enum(['configured', 'break_even']),
  curtailing: z.boolean(),
  target_mw: z.number(),
  /** Site power now, from telemetry. */
  measured_mw: z.number(),
  /** Power the sleeping miners drew before curtailment minus what they draw now, from telemetry. */
  shed_mw: z.number(),
  projected_mw: z.number(),
  asleep: z.array(z.string()),
  /** The last decision: in a dry run, what would have been sent. */
  planned: z.object({ sleep: z.array(z.string()), wake: z.array(z.string()) }),
});
export type CurtailmentStatus = z.infer<typeof CurtailmentStatus>;
