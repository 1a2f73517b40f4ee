import type { Principal } from '../auth/identity.js';
import type { CredentialStore } from '../auth/store.js';
import type { Config } from '../config/schema.js';

/**
 * Sites a principal may act on: null for every site. Admins act everywhere; an operator limited with `sites`
 * (auth.users[].sites in the config, or the credentials file's users) acts only there. A token acts for its owner.
 */
export function actionSites(principal: Principal, config: Config, store: CredentialStore): readonly string[] | null {
  if (principal.role === 'admin' || principal.username === null) return null;
  const fromConfig = config.auth.users.find((u) => u.username === principal.username);
  if (fromConfig) return fromConfig.sites ?? null;
  return store.user(principal.username)?.sites ?? null;
}

export function mayActOn(sites: readonly string[] | null, site: string): boolean {
  return sites === null || sites.includes(site);
}
