import { ActionRequest, ACTION_NAMES } from '../server/contract/index.js';
import { runMinerAction, type MinerActionResult } from './cgminer/actions.js';
import { parseHostPort } from './cgminer/address.js';
import { MINER_FAMILIES } from './cgminer/families.js';
import type { MinerFamily } from './cgminer/family.js';

export const EXEC_USAGE = `  rigline-agent exec HOST[:PORT] ACTION [ARGS] --yes [--family F] [--json]
                                                   run one action on one miner and print its answer:
                                                   restart | sleep | wake | pool_switch N | power_target 3000W|80%
                                                   | pool_set URL USER [PASS] [URL USER PASS ...]
                                                   (miner password, e.g. Whatsminer admin: $RIGLINE_MINER_PASSWORD)`;

/** Turns `ACTION [ARGS]` as typed into an ActionRequest; throws an Error naming the problem. */
export function parseExecAction(action: string, args: readonly string[]): ActionRequest {
  let raw: Record<string, unknown>;
  switch (action) {
    case 'pool_switch':
      raw = { action, pool: Number(args[0]) };
      break;
    case 'power_target': {
      const m = /^(\d+)\s*(w|%)$/i.exec(args[0] ?? '');
      if (!m) throw new Error('power_target needs watts (3000W) or percent (80%)');
      raw = { action, [(m[2] as string).toLowerCase() === 'w' ? 'watts' : 'percent']: Number(m[1]) };
      break;
    }
    case 'pool_set': {
      const pools: { url: string; user: string; password?: string }[] = [];
      for (let i = 0; i < args.length; ) {
        const url = args[i] as string;
        const user = args[i + 1];
        const third = args[i + 2];
        const hasPass = third !== undefined && !/^[a-z0-9+]+:\/\//i.test(third);
        pools.push({ url, user: user ?? '', ...(hasPass ? { password: third } : {}) });
        i += hasPass ? 3 : 2;
      }
      raw = { action, pools };
      break;
    }
    default:
      if (!(ACTION_NAMES as readonly string[]).includes(action)) throw new Error(`unknown action '${action}' (one of ${ACTION_NAMES.join(', ')})`);
      if (args.length > 0) throw new Error(`${action} takes no arguments`);
      raw = { action };
  }
  const parsed = ActionRequest.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${action}: ${issue?.path.join('.') || 'arguments'}: ${issue?.message}`);
  }
  return parsed.data;
}

export interface ExecInput {
  target: string;
  action: string;
  args: string[];
  yes: boolean;
  family?: string;
  json: boolean;
  password?: string;
}

/** `rigline-agent exec`: returns the exit code (0 when the miner did it). Usage problems throw. */
export async function execAction(input: ExecInput, print: (line: string) => void = console.log): Promise<number> {
  const { host, port } = parseHostPort(input.target);
  const request = parseExecAction(input.action, input.args);
  if (input.family !== undefined && !(MINER_FAMILIES as readonly string[]).includes(input.family)) {
    throw new Error(`--family must be one of ${MINER_FAMILIES.join(', ')}`);
  }
  if (!input.yes) throw new Error(`exec changes the miner at ${host}:${port}: add --yes to run ${input.action}`);
  const result: MinerActionResult = await runMinerAction(host, port, request, {
    family: input.family as MinerFamily | undefined,
    secrets: input.password ? { password: input.password } : {},
  });
  if (input.json) print(JSON.stringify(result, null, 2));
  else {
    print(`${host}:${port} ${result.family ?? 'unknown family'}: ${input.action} ${result.ok ? 'done' : `failed (${result.code})`}: ${result.message}`);
    if (result.answer !== null) print(JSON.stringify(result.answer, null, 2));
  }
  return result.ok ? 0 : 1;
}
