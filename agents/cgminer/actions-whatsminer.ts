import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import md5crypt from 'apache-md5';
import { answerStatus, outcomeOf, unsupported, type ActionIo, type ActionOutcome, type FamilyActions, type MinerSecrets } from './action-io.js';
import { isRecord, str } from './units.js';

/**
 * Whatsminer (btminer) API v2 privileged commands (WhatsminerAPI v2.0.x document):
 *  1. `{"cmd":"get_token"}` answers `Msg: { time, salt, newsalt }`.
 *  2. key  = the hash part of md5-crypt(admin password, "$1$" + salt + "$");
 *     sign = the hash part of md5-crypt(key + time, "$1$" + newsalt + "$").
 *  3. The command JSON, with `"token": sign`, is encrypted with AES-256-ECB under sha256(key), zero-padded to 16
 *     bytes, base64: sent as `{"enc":1,"data":"…"}`; the answer `{"enc":"…"}` is decrypted the same way.
 * The admin password comes from the agent's config (sources[].password or actions.miner_password) and is never
 * sent in clear nor logged. Commands: power_off (sleep, `respbefore` so it answers before stopping), power_on
 * (wake), restart_btminer (restart), adjust_power_limit (watts), set_power_pct (percent), update_pools (pool_set).
 */
export const whatsminerActions: FamilyActions = {
  supports: ['restart', 'sleep', 'wake', 'power_target', 'pool_set'],
  async run(request, io, secrets) {
    switch (request.action) {
      case 'sleep':
        return privileged(io, secrets, { cmd: 'power_off', respbefore: 'true' }, 'power off');
      case 'wake':
        return privileged(io, secrets, { cmd: 'power_on' }, 'power on');
      case 'restart':
        return privileged(io, secrets, { cmd: 'restart_btminer' }, 'restart btminer');
      case 'power_target':
        return request.watts !== undefined
          ? privileged(io, secrets, { cmd: 'adjust_power_limit', power_limit: String(request.watts) }, `power limit ${request.watts} W`)
          : privileged(io, secrets, { cmd: 'set_power_pct', percent: String(request.percent) }, `power ${request.percent} %`);
      case 'pool_set': {
        const command: Record<string, string> = { cmd: 'update_pools' };
        request.pools.forEach((p, i) => {
          command[`pool${i + 1}`] = p.url;
          command[`worker${i + 1}`] = p.user;
          command[`passwd${i + 1}`] = p.password;
        });
        return privileged(io, secrets, command, 'update pools');
      }
      default:
        return unsupported('whatsminer', request.action);
    }
  },
};

/** The hash part of md5-crypt ("$1$salt$hash" → "hash"). */
function cryptHash(word: string, salt: string): string {
  return md5crypt(word, `$1$${salt}$`).split('$')[3] ?? '';
}

export interface WhatsminerToken {
  key: string;
  sign: string;
}

export function whatsminerToken(password: string, time: string, salt: string, newsalt: string): WhatsminerToken {
  const key = cryptHash(password, salt);
  return { key, sign: cryptHash(key + time, newsalt) };
}

function aesKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

export function encryptCommand(key: string, command: Record<string, string>): string {
  const text = Buffer.from(JSON.stringify(command), 'utf8');
  const padded = Buffer.concat([text, Buffer.alloc((16 - (text.length % 16)) % 16)]);
  const cipher = createCipheriv('aes-256-ecb', aesKey(key), null).setAutoPadding(false);
  return JSON.stringify({ enc: 1, data: Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64') });
}

export function decryptAnswer(key: string, data: string): unknown {
  const decipher = createDecipheriv('aes-256-ecb', aesKey(key), null).setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]);
  const end = plain.indexOf(0);
  return JSON.parse((end >= 0 ? plain.subarray(0, end) : plain).toString('utf8'));
}

async function privileged(io: ActionIo, secrets: MinerSecrets, command: Record<string, string>, what: string): Promise<ActionOutcome> {
  if (!secrets.password) {
    return { ok: false, code: 'miner_error', message: `${what}: Whatsminer needs its admin password in the agent config (sources[].password)`, answer: null };
  }
  const tokenReply = await io.raw(JSON.stringify({ cmd: 'get_token' }));
  const msg = isRecord(tokenReply) ? tokenReply['Msg'] : undefined;
  if (!answerStatus(tokenReply).ok || !isRecord(msg)) return { ...outcomeOf(tokenReply, 'get_token'), ok: false, code: 'miner_error' };
  const [time, salt, newsalt] = [str(msg['time']), str(msg['salt']), str(msg['newsalt'])];
  if (!time || !salt || !newsalt) return { ok: false, code: 'miner_error', message: 'get_token: answer lacks time, salt or newsalt', answer: tokenReply };
  const token = whatsminerToken(secrets.password, time, salt, newsalt);
  const answer = await io.raw(encryptCommand(token.key, { ...command, token: token.sign }));
  const encrypted = isRecord(answer) && typeof answer['enc'] === 'string' ? answer['enc'] : null;
  // Errors (wrong token, API disabled) come back unencrypted.
  return outcomeOf(encrypted ? decryptAnswer(token.key, encrypted) : answer, what);
}
