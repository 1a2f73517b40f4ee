import type { Response } from 'express';
import { principalOf } from '../auth/http-guard.js';

/**
 * Who is acting, for audit fields (acknowledged_by, resolved_by_user, notes, silences): the signed-in user, or the
 * owner of the API token; 'anonymous (role)' where the demo lets visitors act without logging in.
 */
export function actorOf(res: Response): string {
  const principal = principalOf(res);
  if (!principal) return 'unknown';
  return principal.username ?? `anonymous (${principal.role})`;
}
