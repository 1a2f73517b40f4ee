import type { Permission } from './roles.js';

/**
 * Route → required permission, first match wins. Reads need 'read'; each kind of write names its permission; any
 * other write is admin-only, so a route added later without an entry here is closed, not open.
 */
export type Requirement = Permission | 'public';

interface Rule {
  methods: readonly string[] | 'reads' | 'writes' | 'any';
  path: RegExp;
  requires: Requirement;
}

const READS = ['GET', 'HEAD', 'OPTIONS'];

export const ROUTE_POLICY: readonly Rule[] = [
  { methods: ['POST'], path: /^\/api\/auth\/(login|logout)$/, requires: 'public' },
  { methods: ['GET'], path: /^\/api\/auth\/me$/, requires: 'public' },
  { methods: 'any', path: /^\/api\/auth\/tokens(\/|$)/, requires: 'tokens:own' },
  { methods: 'any', path: /^\/api\/admin(\/|$)/, requires: 'admin' },
  // Acknowledging (or un-acknowledging, silencing) alerts.
  { methods: 'writes', path: /^\/api\/alerts(\/|$)/, requires: 'alerts:ack' },
  // Saving, changing and deleting plans; computing a plan from a draft (POST /api/plan) saves nothing: a read.
  { methods: ['POST'], path: /^\/api\/plan$/, requires: 'read' },
  { methods: ['POST'], path: /^\/api\/planner\/(solve|optimize|evaluate)$/, requires: 'read' },
  { methods: 'writes', path: /^\/api\/(plans|planner)(\/|$)/, requires: 'plans:write' },
  // Operator actions on rigs, bulk actions and curtailment (issue 14); per-site limits are checked in the route.
  { methods: ['POST'], path: /^\/api\/(rigs|sites)\/[^/]+\/actions$/, requires: 'actions' },
  { methods: ['POST', 'DELETE'], path: /^\/api\/actions\/bulk\/[^/]+\/cancel$/, requires: 'actions' },
  { methods: ['PUT', 'DELETE'], path: /^\/api\/sites\/[^/]+\/curtailment$/, requires: 'actions' },
  { methods: 'reads', path: /^\/api(\/|$)/, requires: 'read' },
  { methods: 'writes', path: /^\/api(\/|$)/, requires: 'admin' },
];

function methodMatches(rule: Rule, method: string): boolean {
  if (rule.methods === 'any') return true;
  if (rule.methods === 'reads') return READS.includes(method);
  if (rule.methods === 'writes') return !READS.includes(method);
  return rule.methods.includes(method);
}

/** The permission a request needs; null for non-API paths (the web app's static files are public). */
export function requirementFor(method: string, path: string): Requirement | null {
  for (const rule of ROUTE_POLICY) {
    if (methodMatches(rule, method.toUpperCase()) && rule.path.test(path)) return rule.requires;
  }
  return null;
}
