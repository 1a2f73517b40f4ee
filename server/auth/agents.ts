import { isValidId } from '../contract/index.js';
import { AGENT_ITERATIONS, hashPassword, randomSecret } from './secrets.js';
import type { AgentRecord, CredentialStore } from './store.js';

export interface AgentRequest {
  username: string;
  kind: 'agent' | 'ingest';
  site?: string | null;
  rigs?: readonly string[] | null;
}

/** Issues (or re-issues, rotating the password of) an MQTT identity; returns the password, shown only once. */
export function issueAgent(store: CredentialStore, request: AgentRequest): { record: AgentRecord; password: string } {
  if (request.kind === 'agent' && (!request.site || !isValidId(request.site))) {
    throw new Error('an agent needs --site (a site id: [a-z0-9-], 1 to 64 characters)');
  }
  for (const rig of request.rigs ?? []) if (!isValidId(rig)) throw new Error(`rig id ${JSON.stringify(rig)} is not valid`);
  const password = randomSecret();
  const record: AgentRecord = {
    username: request.username,
    kind: request.kind,
    site: request.kind === 'agent' ? (request.site ?? null) : null,
    rigs: request.kind === 'agent' && request.rigs && request.rigs.length > 0 ? [...request.rigs] : null,
    hash: hashPassword(password, AGENT_ITERATIONS),
    created: new Date().toISOString(),
    revoked: null,
  };
  store.putAgent(record);
  return { record, password };
}

/** What `agents list` and GET /api/admin/agents show: everything but the hash. */
export function describeAgent(record: AgentRecord): Omit<AgentRecord, 'hash'> {
  const { hash: _hash, ...rest } = record;
  return rest;
}
