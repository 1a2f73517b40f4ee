import type { Logger } from 'pino';
import {
  ActionCommand,
  commandResultTopic,
  MAX_ANSWER_CHARS,
  type ActionRequest,
  type ActionResult,
  type ActionResultCode,
} from '../../server/contract/index.js';
import type { MinerSecrets } from '../cgminer/action-io.js';
import { runMinerAction, type MinerActionOptions, type MinerActionResult } from '../cgminer/actions.js';
import type { MinerFamily } from '../cgminer/family.js';
import type { CommandJournal } from './command-journal.js';

export interface MinerTarget {
  host: string;
  port: number;
  family?: MinerFamily;
  secrets: MinerSecrets;
}

export type MinerActionRunner = (host: string, port: number, request: ActionRequest, options: MinerActionOptions) => Promise<MinerActionResult>;

export interface CommandRunnerOptions {
  site: string;
  /** This agent's credential username: the {agent} of its command topics. */
  agent: string;
  enabled: boolean;
  /** The rigs this agent reads, by rig id: the only ones it acts on. */
  targets: ReadonlyMap<string, MinerTarget>;
  journal: CommandJournal;
  publish(topic: string, payload: string): Promise<void>;
  log: Logger;
  timeoutMs: number;
  now?: () => number;
  run?: MinerActionRunner;
}

/** Commands larger than this are not even parsed (a real one is well under 2 KB). */
const MAX_COMMAND_BYTES = 16 * 1024;

/**
 * Carries out operator commands from `rigline/v1/{site}/{agent}/command`. Each command id runs at most once: the
 * journal (fsynced before the miner is touched) remembers it across restarts; a repeated id gets the result it
 * already had, or `interrupted` when the agent stopped while running it (not run again: the miner may have acted).
 * An expired command never runs. Actions stay off unless the config enables them. Parameters are never logged.
 */
export class CommandRunner {
  private readonly running = new Set<string>();
  private readonly now: () => number;
  private readonly run: MinerActionRunner;
  /** One command at a time per rig: two actions racing on one miner is never what an operator meant. */
  private readonly perRig = new Map<string, Promise<void>>();

  constructor(private readonly options: CommandRunnerOptions) {
    this.now = options.now ?? Date.now;
    this.run = options.run ?? runMinerAction;
  }

  async handle(payload: Buffer): Promise<void> {
    const { log } = this.options;
    if (payload.length > MAX_COMMAND_BYTES) return void log.warn({ bytes: payload.length }, 'command refused: too large');
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return void log.warn('command refused: not JSON');
    }
    const parsed = ActionCommand.safeParse(json);
    if (!parsed.success) {
      const { id, rig } = (json ?? {}) as { id?: unknown; rig?: unknown };
      log.warn({ id, problem: parsed.error.issues[0]?.message }, 'command refused: invalid');
      if (typeof id === 'string' && /^[A-Za-z0-9_-]{8,64}$/.test(id) && typeof rig === 'string' && /^[a-z0-9-]{1,64}$/.test(rig)) {
        await this.publish({ id, rig } as ActionCommand, false, 'invalid_command', `invalid command: ${parsed.error.issues[0]?.message ?? 'schema'}`, null, null);
      }
      return;
    }
    const command = parsed.data;
    if (this.running.has(command.id)) return; // a redelivery while it runs: the result follows
    const seen = this.options.journal.get(command.id);
    if (seen?.result) {
      log.info({ id: command.id }, 'command seen before: its result is sent again, the action is not');
      return this.send(seen.result);
    }
    if (seen) {
      return this.finish(command, false, 'interrupted', 'the agent stopped while this command ran; not run again (the miner may or may not have acted)', null, null);
    }
    if (this.now() > command.expires_ms) return this.finish(command, false, 'expired', 'command expired before the agent could run it', null, null);
    if (!this.options.enabled) return this.finish(command, false, 'actions_disabled', 'actions are disabled in this agent\'s config (actions.enabled)', null, null);
    const target = this.options.targets.get(command.rig);
    if (!target) return this.finish(command, false, 'unknown_rig', `this agent does not read rig ${command.rig}`, null, null);

    this.running.add(command.id);
    this.options.journal.started(command.id, this.now());
    const previous = this.perRig.get(command.rig) ?? Promise.resolve();
    const done = previous.then(() => this.execute(command, target));
    this.perRig.set(command.rig, done);
    try {
      await done;
    } finally {
      this.running.delete(command.id);
      if (this.perRig.get(command.rig) === done) this.perRig.delete(command.rig);
    }
  }

  private async execute(command: ActionCommand, target: MinerTarget): Promise<void> {
    const { log } = this.options;
    log.info({ id: command.id, rig: command.rig, action: command.request.action, by: command.requester }, 'running command');
    const outcome = await this.run(target.host, target.port, command.request, {
      family: target.family,
      secrets: target.secrets,
      timeoutMs: this.options.timeoutMs,
    });
    log.info({ id: command.id, rig: command.rig, code: outcome.code, family: outcome.family }, outcome.ok ? 'command done' : 'command failed');
    await this.finish(command, outcome.ok, outcome.code, outcome.message, outcome.family, outcome.answer);
  }

  /** Journaled before it is published: a crash in between re-sends the same result rather than re-running. */
  private async finish(command: ActionCommand, ok: boolean, code: ActionResultCode, message: string, family: string | null, answer: unknown): Promise<void> {
    const result = this.result(command, ok, code, message, family, answer);
    this.options.journal.finished(result);
    await this.send(result);
  }

  private async publish(command: Pick<ActionCommand, 'id' | 'rig'>, ok: boolean, code: ActionResultCode, message: string, family: string | null, answer: unknown): Promise<void> {
    await this.send(this.result(command, ok, code, message, family, answer));
  }

  private result(command: Pick<ActionCommand, 'id' | 'rig'>, ok: boolean, code: ActionResultCode, message: string, family: string | null, answer: unknown): ActionResult {
    return {
      schema: 1,
      id: command.id,
      rig: command.rig,
      ok,
      code,
      message: message.slice(0, 1024),
      family,
      answer: boundAnswer(answer),
      finished_ms: this.now(),
    };
  }

  private async send(result: ActionResult): Promise<void> {
    await this.options.publish(commandResultTopic(this.options.site, this.options.agent), JSON.stringify(result)).catch((err: Error) => {
      this.options.log.warn({ id: result.id, err: err.message }, 'command result not published; sent again when the command is');
    });
  }
}

/** The miner's answer, or a note that it was too large to forward. */
function boundAnswer(answer: unknown): unknown {
  if (answer === undefined) return null;
  const text = JSON.stringify(answer);
  return text.length <= MAX_ANSWER_CHARS ? answer : { truncated: true, text: text.slice(0, MAX_ANSWER_CHARS) };
}
