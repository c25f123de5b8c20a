import type { Database } from '../../db/client.js';
import { selectRecords } from '../../db/stores/record.store.js';
import { canReach, type Reach } from '../access/reach.js';
import type { FieldDef } from '../fields/field-type.js';
import { fieldTypeOf } from '../fields/registry.js';
import type { ReadLookups, RecordRow } from '../cells/read-cells.js';

/**
 * Loads, in one query per kind, what rendering a page of records needs beyond the rows: users (Member,
 * CreatedBy, LastModifiedBy) and the display text of linked records (their primary field as a string). Records of a
 * datasheet outside the caller's reach show their ids (what the link cell holds), never their primary values.
 */
export async function loadReadLookups(
  db: Database,
  spaceId: string,
  fields: readonly FieldDef[],
  rows: readonly RecordRow[],
  options: { timeZone: string; attachmentUrl: (token: string) => string; reach: Reach },
): Promise<ReadLookups> {
  const userIds = new Set<string>();
  const linked = new Map<string, Set<string>>();
  const modules = fields.map((field) => ({ field, module: fieldTypeOf(field.type) }));
  const wantsCreator = modules.some((f) => f.module.source === 'createdBy');
  const wantsEditor = modules.some((f) => f.module.source === 'updatedBy');
  for (const row of rows) {
    if (wantsCreator && row.createdBy) userIds.add(row.createdBy);
    if (wantsEditor && row.updatedBy) userIds.add(row.updatedBy);
    for (const { field, module } of modules) {
      const value = row.cells[field.id];
      if (!Array.isArray(value)) continue;
      if (module.userIds) for (const id of module.userIds(value)) userIds.add(id);
      if (module.linkTarget) {
        const target = module.linkTarget(field.property);
        const ids = linked.get(target) ?? new Set<string>();
        for (const id of value) ids.add(String(id));
        linked.set(target, ids);
      }
    }
  }
  const users = userIds.size
    ? await db.prisma.user.findMany({ where: { id: { in: [...userIds] } }, select: { id: true, name: true } })
    : [];
  const titles = new Map<string, string>();
  for (const [datasheetId, ids] of linked) {
    if (!canReach(options.reach, datasheetId)) {
      for (const id of ids) titles.set(id, id);
      continue;
    }
    const primary = await db.prisma.field.findFirst({
      where: { datasheetId, isPrimary: true, datasheet: { spaceId } },
    });
    if (!primary) continue;
    const primaryDef = {
      id: primary.id,
      name: primary.name,
      type: primary.type,
      property: primary.property,
      isPrimary: true,
    } as FieldDef;
    const module = fieldTypeOf(primaryDef.type);
    const records = await selectRecords(db, datasheetId, [...ids]);
    for (const record of records) {
      const text = module.read.string(record.cells[primary.id], primaryDef, {
        timeZone: options.timeZone,
        record,
        user: () => undefined,
        linkedTitle: () => undefined,
        attachmentUrl: options.attachmentUrl,
      });
      if (text) titles.set(record.id, text);
    }
  }
  const userMap = new Map(users.map((u) => [u.id, u]));
  return {
    timeZone: options.timeZone,
    user: (id) => userMap.get(id),
    linkedTitle: (id) => titles.get(id),
    attachmentUrl: options.attachmentUrl,
  };
}
