import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ApiError } from '../api/errors.js';
import type { ActionsConfig } from '../config/actions-schema.js';
import {
  ActionResult,
  commandTopic,
  parseCommandResultTopic,
  type ActionCommand,
  type ActionRecord,
  type ActionRequest,
  type ActionState,
} from '../contract/index.js';
import type { FleetState } from '../fleet/state.js';
import { ActionAudit, isFinal, type ActionEntry, type ActionQuery } from './audit.js';
import type { CommandRouting } from './routing.js';

/** The server's MQTT connection as the actions need it (the ingest client: the server's one MQTT identity). */
export interface CommandPublisher {
  publish(topic: string, payload: string): Promise<void>;
}

export interface ActionServiceOptions {
  audit: ActionAudit;
  routing: CommandRouting;
  state: FleetState;
  publisher: CommandPublisher;
  config: Pick<ActionsConfig, 'expire_after_ms'>;
  log: Logger;
  now?: () => number;
}

/** Results larger than this are dropped unread (the agent bounds the miner's answer to 4 KB). */
const MAX_RESULT_BYTES = 64 * 1024;

/**
 * Operator actions from request to result: checks the rig and its owning agent, records the action (queued),
 * publishes the command on the agent's topic at QoS 1 (sent on PUBACK), takes the agent's result (done / failed)
 * and expires what got no answer in time. Commands still pending are published again when their agent comes
 * back online; the agent's journal makes that harmless (a command id runs once).
 */
export class ActionService {
  private readonly now: () => number;
  private readonly listeners = new Set<(record: ActionRecord) => void>();
  /** Results refused by reason (forged, unknown id, malformed): GET /api/actions/stats. */
  readonly refused = new Map<string, number>();

  constructor(private readonly options: ActionServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  onChange(listener: (record: ActionRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(id: string): ActionRecord | null {
    return this.options.audit.get(id)?.record ?? null;
  }

  list(query: ActionQuery): { total: number; items: ActionRecord[] } {
    const { total, items } = this.options.audit.list(query);
    return { total, items: items.map((e) => e.record) };
  }

  /** Checks and queues an action on one rig, then sends it; throws ApiError (404 rig, 409 no agent). */
  create(rig: string, request: ActionRequest, by: string, bulk: string | null = null): ActionRecord {
    const view = this.options.state.rig(rig);
    if (!view) throw new ApiError(404, 'rig_not_found', `no rig ${rig}`);
    if (view.kind !== 'asic') throw new ApiError(409, 'unsupported_action', `${request.action} acts on ASIC miners; ${rig} is a GPU node`);
    const agent = this.options.routing.ownerOf(view.site, rig);
    if (!agent) throw new ApiError(409, 'no_agent', `no agent that takes commands is known for rig ${rig} (site ${view.site})`);
    const created = this.now();
    const id = randomUUID();
    const command: ActionCommand = {
      schema: 1,
      id,
      rig,
      request,
      requester: by,
      created_ms: created,
      expires_ms: created + this.options.config.expire_after_ms,
    };
    const { action, ...params } = request;
    const record: ActionRecord = {
      id,
      rig,
      site: view.site,
      agent,
      action,
      params,
      state: 'queued',
      by,
      created: new Date(created).toISOString(),
      sent: null,
      finished: null,
      expires: new Date(command.expires_ms).toISOString(),
      result: null,
      bulk,
    };
    this.save({ record, command });
    this.options.log.info({ id, rig, site: view.site, agent, action, by }, 'action queued');
    void this.send(id);
    return record;
  }

  private save(entry: ActionEntry): void {
    this.options.audit.put(entry);
    for (const listener of this.listeners) listener(entry.record);
  }

  private update(id: string, change: (record: ActionRecord) => ActionRecord): void {
    const entry = this.options.audit.get(id);
    if (entry) this.save({ ...entry, record: change(entry.record) });
  }

  private async send(id: string): Promise<void> {
    const entry = this.options.audit.get(id);
    if (!entry || isFinal(entry.record.state) || !entry.record.agent) return;
    try {
      await this.options.publisher.publish(commandTopic(entry.record.site, entry.record.agent), JSON.stringify(entry.command));
      this.update(id, (r) => (r.state === 'queued' ? { ...r, state: 'sent', sent: new Date(this.now()).toISOString() } : r));
    } catch (err) {
      // Stays queued: sent again when its agent comes back online, or expires.
      this.options.log.warn({ id, err: (err as Error).message }, 'command not published');
    }
  }

  /** An agent announced itself online: its pending commands go out again (its journal drops repeats). */
  agentOnline(site: string, agent: string): void {
    for (const entry of this.options.audit.pending()) {
      if (entry.record.site === site && entry.record.agent === agent && entry.command.expires_ms > this.now()) void this.send(entry.record.id);
    }
  }

  /** Takes a command result off the MQTT connection; false for any other topic. */
  handleResult(topic: string, payload: Buffer): boolean {
    const where = parseCommandResultTopic(topic);
    if (!where) return false;
    if (payload.length > MAX_RESULT_BYTES) return this.refuse('oversized', topic);
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return this.refuse('malformed', topic);
    }
    const parsed = ActionResult.safeParse(json);
    if (!parsed.success) return this.refuse('schema', topic);
    const result = parsed.data;
    const entry = this.options.audit.get(result.id);
    if (!entry) return this.refuse('unknown_id', topic);
    // Only the agent the command went to may answer it, from its own topic, for the rig it was sent for.
    if (entry.record.agent !== where.agent || entry.record.site !== where.site || entry.record.rig !== result.rig) return this.refuse('forged', topic);
    const state: ActionState = result.ok ? 'done' : result.code === 'expired' ? 'expired' : 'failed';
    this.update(result.id, (r) => ({
      ...r,
      state,
      sent: r.sent ?? new Date(this.now()).toISOString(),
      finished: new Date(this.now()).toISOString(),
      result: { ok: result.ok, code: result.code, message: result.message, family: result.family, answer: result.answer ?? null },
    }));
    this.options.log.info({ id: result.id, rig: result.rig, state, code: result.code }, 'action result');
    return true;
  }

  private refuse(reason: string, topic: string): true {
    this.refused.set(reason, (this.refused.get(reason) ?? 0) + 1);
    this.options.log.warn({ topic, reason }, 'command result refused');
    return true;
  }

  /** Expires pending actions whose deadline passed without a result. */
  sweep(): number {
    let expired = 0;
    for (const entry of this.options.audit.pending()) {
      if (entry.command.expires_ms > this.now()) continue;
      this.update(entry.record.id, (r) => ({
        ...r,
        state: 'expired',
        finished: new Date(this.now()).toISOString(),
        result: { ok: false, code: 'expired', message: 'no result from the agent before the command expired', family: null, answer: null },
      }));
      expired++;
    }
    return expired;
  }
}
