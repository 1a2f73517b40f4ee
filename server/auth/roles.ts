/**
 * People's roles and what each may do. Capabilities, not a ladder: an operator acknowledges alerts, a planner saves
 * plans, neither can do the other's job; admin can do everything, including managing agents and users.
 */
export const ROLES = ['viewer', 'operator', 'planner', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export type Permission = 'read' | 'alerts:ack' | 'plans:write' | 'tokens:own' | 'actions' | 'admin';

const GRANTS: Record<Role, readonly Permission[]> = {
  viewer: ['read', 'tokens:own'],
  operator: ['read', 'tokens:own', 'alerts:ack', 'actions'],
  planner: ['read', 'tokens:own', 'plans:write'],
  admin: ['read', 'tokens:own', 'alerts:ack', 'plans:write', 'actions', 'admin'],
};

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

/** A token may not carry more than its owner has: the lesser of the two (viewer when they only share 'read'). */
export function capRole(tokenRole: Role, ownerRole: Role): Role {
  return tokenRole === ownerRole || ownerRole === 'admin' ? tokenRole : 'viewer';
}
