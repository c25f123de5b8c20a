import { z } from 'zod';
import { isId } from '../../ids.js';
import { CellError, defineFieldType, type ReadContext } from '../field-type.js';
import { booleanLike, parseWith, requireObject } from '../shared/property.js';

export interface MemberProperty {
  isMulti: boolean;
  shouldSendMsg: boolean;
  subscription: boolean;
}

const schema = z.object({
  isMulti: booleanLike.optional(),
  shouldSendMsg: booleanLike.optional(),
  subscription: booleanLike.optional(),
});

const users = (stored: unknown, ctx: ReadContext) =>
  Array.isArray(stored) ? stored.flatMap((id) => (typeof id === 'string' ? (ctx.user(id) ?? []) : [])) : undefined;

/**
 * One item of a Member write (§8.3), checked in the reference's order. Units are users here, so `{id}` and
 * `{unitId}` both carry a user id (the record service checks they exist: `The unit specified by the unit ID does not
 * exist`). `{name, type}` would need a lookup by name, which a cell module cannot do: it is accepted only when the
 * name is itself a user id, otherwise refused as an unknown name.
 */
function memberId(item: unknown, key: string): string {
  const unit = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
  const { id, unitId, name, type } = unit;
  if ((id && typeof id !== 'string') || (unitId && typeof unitId !== 'string')) {
    throw new CellError(`field:${key} Member ID must be string\n`);
  }
  if (typeof id === 'string' && id) return id;
  if (typeof unitId === 'string' && unitId) return unitId;
  if (!name) throw new CellError("Member name can't be null");
  if (!type) throw new CellError("Member type can't be null");
  if ((type === 'Member' || type === 3) && isId('user', name)) return name;
  throw new CellError('The unit specified by the unit Name does not exist');
}

export const memberField = defineFieldType<MemberProperty>({
  type: 'Member',
  cellKind: 'array',
  multiple: true,
  writable: true,
  primaryCapable: false,
  userIds: (stored) => (Array.isArray(stored) ? stored.map(String) : []),
  property: {
    parse: (input) => {
      const p = parseWith(schema, requireObject(input));
      return {
        isMulti: p.isMulti ?? true,
        shouldSendMsg: p.shouldSendMsg ?? true,
        subscription: p.subscription ?? false,
      };
    },
    // `options` (units used in the column) is left for the field service to fill.
    toApi: (p) => ({ options: [], isMulti: p.isMulti, shouldSendMsg: p.shouldSendMsg, subscription: p.subscription }),
  },
  // Stored as user ids; `[]` is stored as is, like the reference.
  write: (value, field, ctx) => {
    if (value === null) return { value: null };
    if (!Array.isArray(value)) throw new CellError(`field:${ctx.key} Member field value must be array`);
    if (!field.property.isMulti && value.length > 1)
      throw new CellError('The Member field was set to receive one unit only');
    const ids = [...new Set(value.map((item) => memberId(item, ctx.key)))];
    return ids.length ? { value: ids, refs: { kind: 'members', ids } } : { value: ids };
  },
  read: {
    json: (stored, _field, ctx) =>
      users(stored, ctx)?.map((u) => ({
        id: u.id,
        type: 'Member',
        name: u.name,
        ...(u.avatar !== undefined ? { avatar: u.avatar } : {}),
      })),
    string: (stored, _field, ctx) =>
      users(stored, ctx)
        ?.map((u) => u.name)
        .join(', ') || null,
  },
});
