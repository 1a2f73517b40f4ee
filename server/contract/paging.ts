/**
 * How every list endpoint under /api is bounded (the convention GET /api/rigs set): `?offset` (0) and `?limit`
 * (a default, and a hard maximum: a larger limit is refused with 400 invalid_parameter, never silently cut, so a
 * client that asked for more learns it must page), the matching total in the `X-Total-Count` header, items in a
 * stable order so walking offset = 0, limit, 2·limit … visits each item once while the list does not change.
 * Response bodies keep their shapes (an array, or the object they always were); only the header is added.
 */
export const TOTAL_COUNT_HEADER = 'X-Total-Count';

/** The largest offset any list accepts (a bound on the parameter, not on the list). */
export const MAX_OFFSET = 10_000_000;

export interface ListBound {
  defaultLimit: number;
  maxLimit: number;
}

/**
 * Limits per list. Maxima are chosen so one page stays well under a few MB of JSON: a rig view is ~1 KB, an alert
 * or action ~0.5 KB, a token or user ~0.2 KB.
 */
export const LIST_BOUNDS = {
  /** GET /api/rigs (full rig views). */
  rigs: { defaultLimit: 1000, maxLimit: 5000 },
  /** GET /api/sites: site rollups; sites come only from config and admin-issued agent credentials. */
  sites: { defaultLimit: 1000, maxLimit: 5000 },
  /** GET /api/sites/:id/rigs: the site table's rows. */
  siteRigs: { defaultLimit: 100, maxLimit: 1000 },
  /** GET /api/alerts: active alerts (one per rule and rig) and the resolved history (alerts.history_limit). */
  alerts: { defaultLimit: 1000, maxLimit: 10_000 },
  /** GET /api/alerts/silences: at most 1000 silences can be active (server/alerts/workflow.ts LIMITS). */
  silences: { defaultLimit: 1000, maxLimit: 1000 },
  /** GET /api/actions: the action audit log. */
  actions: { defaultLimit: 50, maxLimit: 500 },
  /** GET /api/actions/bulk: bulk runs, newest first (the server keeps the last 1000 finished ones). */
  bulk: { defaultLimit: 100, maxLimit: 500 },
  /** GET /api/plans: saved plan summaries (planner.saved_plans_max caps how many exist). */
  plans: { defaultLimit: 200, maxLimit: 1000 },
  /** GET /api/auth/tokens: API tokens, revoked ones included (each user may hold at most 100 active). */
  tokens: { defaultLimit: 100, maxLimit: 1000 },
  /** GET /api/admin/users and GET /api/admin/agents: created by admins only, still paged. */
  users: { defaultLimit: 1000, maxLimit: 5000 },
  agents: { defaultLimit: 1000, maxLimit: 5000 },
} as const satisfies Record<string, ListBound>;

export type ListName = keyof typeof LIST_BOUNDS;
