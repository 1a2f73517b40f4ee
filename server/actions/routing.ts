import type { AgentStatus } from '../contract/index.js';
import type { CredentialStore } from '../auth/store.js';
import type { FleetState } from '../fleet/state.js';

/**
 * Which agent owns a rig, i.e. whose command topic an action on it goes to ({agent} = the agent's credential
 * username, its client id under issue 10):
 *  1. a rig agent in the credentials file that lists the rig under the rig's site (a rig agent owns only its rigs);
 *  2. the connection that last reported the rig, if its birth status announced where it takes commands;
 *  3. the one site-wide agent credential of the rig's site, when there is exactly one.
 * An announcement can only misroute within its own site (the broker ACL confines its status topic there), and an
 * agent acts only on rigs it reads itself, so a wrong one fails as `unknown_rig` instead of acting.
 */
export class CommandRouting {
  private readonly announced = new Map<string, NonNullable<AgentStatus['commands']>>();

  constructor(
    private readonly store: CredentialStore,
    private readonly state: FleetState,
  ) {}

  /** Remembers a connection's birth announcement; returns the agent that just came online, if any. */
  observeStatus(site: string, source: string, status: AgentStatus): string | null {
    if (status.state !== 'online' || !status.commands) return null;
    this.announced.set(`${site}/${source}`, status.commands);
    return status.commands.agent;
  }

  ownerOf(site: string, rig: string): string | null {
    const agents = this.store.agents().filter((a) => a.kind === 'agent' && !a.revoked && a.site === site);
    const rigAgent = agents.find((a) => a.rigs?.includes(rig));
    if (rigAgent) return rigAgent.username;
    const source = this.state.sourceOf(rig);
    const announced = source ? this.announced.get(`${site}/${source}`) : undefined;
    if (announced) return announced.agent;
    const siteWide = agents.filter((a) => a.rigs === null);
    return siteWide.length === 1 ? (siteWide[0]?.username ?? null) : null;
  }
}
