import type { Router } from 'express';
import type { Permission } from './roles.js';

/**
 * Who may call which API route. Authorization is decided for the ROUTE THAT WILL HANDLE THE REQUEST, found by the
 * router's own matching (router 2.x `Layer.match`: case-insensitive, optional trailing slash, no decoding of
 * literal segments), never by a second, hand-written reading of the URL: `/API/Admin/users/` is the admin route
 * because the router says so, and `/api//admin/users` or `/api/%61dmin/users` reach no route at all (404).
 *
 * Each rule names route PATTERNS as registered (relative to the /api mount, e.g. `/admin/users/:username`), first
 * match wins. Adding a route family is one line here; a route no rule names falls to the last two rules, so a write
 * added later without an entry is admin-only: closed, not open.
 */
export type Requirement = Permission | 'public';

interface Rule {
  methods: readonly string[] | 'reads' | 'writes' | 'any';
  route: RegExp;
  requires: Requirement;
}

const READS = ['GET', 'HEAD', 'OPTIONS'];

export const ROUTE_POLICY: readonly Rule[] = [
  { methods: ['POST'], route: /^\/auth\/(login|logout)$/, requires: 'public' },
  { methods: ['GET'], route: /^\/auth\/me$/, requires: 'public' },
  { methods: 'any', route: /^\/auth\/tokens(\/|$)/, requires: 'tokens:own' },
  { methods: 'any', route: /^\/admin(\/|$)/, requires: 'admin' },
  // Acknowledging (or un-acknowledging, silencing, annotating) alerts.
  { methods: 'writes', route: /^\/alerts(\/|$)/, requires: 'alerts:ack' },
  // Computing a plan from a draft (POST /api/plan) saves nothing: a read. Saving and deleting plans is a planner's.
  { methods: ['POST'], route: /^\/plan$/, requires: 'read' },
  { methods: ['POST'], route: /^\/planner\/(solve|optimize|evaluate)$/, requires: 'read' },
  { methods: 'writes', route: /^\/(plans|planner)(\/|$)/, requires: 'plans:write' },
  // Operator actions on rigs, bulk actions and curtailment (issue 14); per-site limits are checked in the route.
  { methods: ['POST'], route: /^\/(rigs|sites)\/[^/]+\/actions$/, requires: 'actions' },
  { methods: ['POST', 'DELETE'], route: /^\/actions\/bulk\/[^/]+\/cancel$/, requires: 'actions' },
  { methods: ['PUT', 'DELETE'], route: /^\/sites\/[^/]+\/curtailment$/, requires: 'actions' },
  { methods: 'reads', route: /.*/, requires: 'read' },
  { methods: 'writes', route: /.*/, requires: 'admin' },
];

function methodMatches(rule: Rule, method: string): boolean {
  if (rule.methods === 'any') return true;
  if (rule.methods === 'reads') return READS.includes(method);
  if (rule.methods === 'writes') return !READS.includes(method);
  return rule.methods.includes(method);
}

/** The permission a registered route pattern needs for one method (upper case). */
export function requirementOf(method: string, route: string): Requirement {
  for (const rule of ROUTE_POLICY) {
    if (methodMatches(rule, method) && rule.route.test(route)) return rule.requires;
  }
  return 'admin';
}

// --- The router's own matching (router 2.x internals, typed here for the few members used) ---

interface RouteLike {
  path: unknown;
  methods: Record<string, boolean>;
  _handlesMethod(method: string): boolean;
}
interface LayerLike {
  route?: RouteLike;
  slash?: boolean;
  rawPath?: unknown;
  handle: { stack?: LayerLike[] };
  match(path: string): { path: string } | false;
}

/** A registered route reachable under the router, with its full pattern (mount prefixes joined). */
export interface RegisteredRoute {
  pattern: string;
  methods: string[];
}

const stackOf = (router: Router): LayerLike[] => (router as unknown as { stack: LayerLike[] }).stack;

function safeMatch(layer: LayerLike, path: string): { path: string } | false {
  try {
    return layer.match(path);
  } catch {
    return false; // a malformed %-escape in a parameter: the router answers 400 without running the handler
  }
}

/**
 * Every route that would run for (method, path), walking nested routers exactly as router/index.js does (match,
 * then trim the matched prefix only when it ends at a path separator). Patterns are the routes' own.
 */
export function routesFor(router: Router, method: string, path: string): string[] {
  const found: string[] = [];
  const walk = (stack: LayerLike[], rest: string, prefix: string): void => {
    for (const layer of stack) {
      const match = safeMatch(layer, rest);
      if (!match) continue;
      if (layer.route) {
        if (layer.route._handlesMethod(method)) found.push(prefix + String(layer.route.path));
        continue;
      }
      const inner = layer.handle.stack;
      if (!inner) continue; // plain middleware (body parsers, the guard itself)
      const cut = match.path;
      if (cut.length > 0 && (rest.slice(0, cut.length) !== cut || (rest[cut.length] ?? '/') !== '/')) continue;
      const mount = layer.slash ? '' : typeof layer.rawPath === 'string' ? layer.rawPath : cut;
      walk(inner, rest.slice(cut.length) || '/', prefix + mount);
    }
  };
  walk(stackOf(router), path, '');
  return found;
}

/** Every route registered under the router (for the route table test and for docs). */
export function registeredRoutes(router: Router): RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  const walk = (stack: LayerLike[], prefix: string): void => {
    for (const layer of stack) {
      if (layer.route) {
        const methods = Object.keys(layer.route.methods).filter((m) => layer.route?.methods[m]).map((m) => m.toUpperCase());
        routes.push({ pattern: prefix + String(layer.route.path), methods });
      } else if (layer.handle.stack) {
        walk(layer.handle.stack, prefix + (layer.slash ? '' : typeof layer.rawPath === 'string' ? layer.rawPath : ''));
      }
    }
  };
  walk(stackOf(router), '');
  return routes;
}

/**
 * What a request needs: null when no route would handle it (answer 404 before any handler), otherwise every
 * permission of every route that could run for it (a handler may pass to the next matching route with next()).
 */
export function requirementsFor(router: Router, method: string, path: string): Requirement[] | null {
  const upper = method.toUpperCase();
  const routes = routesFor(router, upper, path);
  if (routes.length === 0) return null;
  return [...new Set(routes.map((route) => requirementOf(upper, route)))];
}
