import type { Actor } from '../context.js';
import type { Scope } from '../tokens/scopes.js';

export type Role = Actor['role'];

const ROLE_RANK: Record<Role, number> = { reader: 0, editor: 1, admin: 2, owner: 3 };

/** The least member role that may use a scope: a token never does more than its user may. */
export const SCOPE_MIN_ROLE: Record<Scope, Role> = {
  'spaces:read': 'reader',
  'datasheets:read': 'reader',
  'records:read': 'reader',
  'records:write': 'editor',
  'attachments:write': 'editor',
  'datasheets:write': 'admin',
  'webhooks:manage': 'admin',
  'tokens:manage': 'admin',
  'audit:read': 'admin',
};

export const roleAllows = (role: Role, scope: Scope) => ROLE_RANK[role] >= ROLE_RANK[SCOPE_MIN_ROLE[scope]];

/** Whether a token may use a scope at all (its scopes and its user's role). */
export const actorMay = (actor: Actor, scope: Scope) => actor.scopes.includes(scope) && roleAllows(actor.role, scope);
