import type { PrismaClient } from '../../db/client.js';
import type { Tx } from '../../db/tx.js';
import { notFound } from '../errors.js';
import { isFieldType, type FieldDef, type FieldType } from '../fields/field-type.js';

export interface ViewDef {
  id: string;
  name: string;
  type: string;
  filter: unknown;
  sort: { fieldId: string; desc: boolean }[];
  hiddenFields: string[];
  columnOrder: string[];
  rowOrder: string[] | null;
  position: number;
}

export interface DatasheetSchema {
  id: string;
  spaceId: string;
  name: string;
  fields: FieldDef[];
  views: ViewDef[];
  revision: number;
}

type Db = PrismaClient | Tx;

/** A datasheet's fields (primary first, then by position) and views, scoped to a space. */
export async function loadSchema(db: Db, spaceId: string, datasheetId: string): Promise<DatasheetSchema> {
  const datasheet = await db.datasheet.findFirst({
    where: { id: datasheetId, spaceId },
    include: {
      node: { select: { name: true } },
      fields: { orderBy: [{ position: 'asc' }, { id: 'asc' }] },
      views: { orderBy: [{ position: 'asc' }, { id: 'asc' }] },
    },
  });
  if (!datasheet) throw datasheetNotFound(datasheetId);
  return {
    id: datasheet.id,
    spaceId: datasheet.spaceId,
    name: datasheet.node.name,
    revision: Number(datasheet.revision),
    fields: datasheet.fields
      .filter((f) => isFieldType(f.type))
      .map((f) => ({ id: f.id, name: f.name, type: f.type as FieldType, property: f.property, isPrimary: f.isPrimary }))
      .sort((a, b) => Number(b.isPrimary) - Number(a.isPrimary)),
    views: datasheet.views.map((v) => ({
      id: v.id,
      name: v.name,
      type: v.type,
      filter: v.filter,
      sort: v.sort as ViewDef['sort'],
      hiddenFields: v.hiddenFields as string[],
      columnOrder: v.columnOrder as string[],
      rowOrder: v.rowOrder as string[] | null,
      position: v.position,
    })),
  };
}

export const datasheetNotFound = (datasheetId: string) =>
  notFound("Can't find the specified datasheet", { parameter: 'datasheetId', datasheetId, fusionCode: 301 });
