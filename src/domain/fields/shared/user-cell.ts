import type { ReadContext } from '../field-type.js';

/** CreatedBy / LastModifiedBy cellFormat=json: one `{id, name, avatar}` object (not an array); avatar when known. */
export function userJson(id: string | null, ctx: ReadContext) {
  const user = id ? ctx.user(id) : undefined;
  if (!user) return undefined;
  return { id: user.id, name: user.name, ...(user.avatar !== undefined ? { avatar: user.avatar } : {}) };
}

export const userName = (id: string | null, ctx: ReadContext): string | null =>
  id ? (ctx.user(id)?.name ?? null) : null;
