import type { Sample } from '../contract/index.js';
import { principalOf } from './acl.js';
import type { CredentialStore } from './store.js';

/**
 * Rig ownership inside batches. A rig agent (an agent with a rig list) may publish only its own rigs' topics, but a
 * topic is one rig while a payload may be a controller batch naming any rig. Two checks close that:
 *
 *  - embedded broker: `authorizePublish` sees the payload and refuses (counted `unauthorized`) a rig agent's
 *    message naming a rig outside its list (`foreignRig`);
 *  - any broker, at ingest: a message on the topic of a rig that a rig agent owns may carry only rigs that agent
 *    owns (`RigOwnership.refusal`). Mosquitto cannot look inside payloads, but its ACL (acl.ts) lets a rig agent
 *    write only its own rigs' topics, so together a rig agent can inject nothing about a rig it does not own.
 *    This needs the server to read the same credentials file the CLI writes (auth.credentials_file).
 *
 * Site-wide agents (no rig list) may report every rig of their site, as a site controller does.
 */
export class RigOwnership {
  /**
   * Site, then each rig a rig agent owns there → every rig its owner(s) may report on that topic. Nested, not keyed
   * by a `site/rig` string: that key was built and hashed for every message ingested.
   */
  private owned = new Map<string, Map<string, Set<string>>>();

  constructor(private readonly store: CredentialStore) {
    this.reload();
    store.watch(() => this.reload());
  }

  private reload(): void {
    const owned = new Map<string, Map<string, Set<string>>>();
    for (const record of this.store.agents()) {
      const principal = principalOf(record);
      if (principal?.kind !== 'agent' || !principal.rigs) continue;
      let site = owned.get(principal.site);
      if (!site) owned.set(principal.site, (site = new Map()));
      for (const rig of principal.rigs) {
        const allowed = site.get(rig) ?? new Set<string>();
        for (const other of principal.rigs) allowed.add(other);
        site.set(rig, allowed);
      }
    }
    this.owned = owned;
  }

  /** Why a decoded telemetry message must be refused, or null when it may be taken. */
  refusal(site: string, source: string, samples: readonly Sample[]): string | null {
    const allowed = this.owned.get(site)?.get(source);
    if (!allowed) return null;
    const foreign = samples.find((s) => !allowed.has(s.rig));
    return foreign ? `rig ${foreign.rig} on the topic of rig agent rig ${source}` : null;
  }
}

/**
 * The first rig a payload names that is not in `rigs` (null: none, or not a telemetry payload at all, which ingest
 * decodes and counts under its own reason). Reads only what it needs: `rig` of the message or of each batch sample.
 */
export function foreignRig(payload: Buffer | string, rigs: readonly string[]): string | null {
  let json: unknown;
  try {
    json = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof json !== 'object' || json === null) return null;
  const batch = (json as { samples?: unknown }).samples;
  const items: unknown[] = Array.isArray(batch) ? batch : [json];
  for (const item of items) {
    const rig = typeof item === 'object' && item !== null ? (item as { rig?: unknown }).rig : undefined;
    if (typeof rig === 'string' && !rigs.includes(rig)) return rig;
  }
  return null;
}
