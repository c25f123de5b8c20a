import type { PrismaClient } from '../../db/client.js';
import type { Scope } from '../context.js';
import { invalidArgument } from '../errors.js';
import { PLAN_LIMITS, rowCapFor } from '../limits.js';
import { datasheetNotFound } from './schema.js';

/** A datasheet as its detail answers it: name, counts and the row cap in force (and whether it is its own). */
export interface DatasheetDetail {
  id: string;
  name: string;
  description: string | null;
  parentId: string | null;
  recordCount: number;
  /** The row cap in force: the datasheet's own, else the space's, else the plan's. */
  rowCap: number;
  /** The datasheet's own row cap (set by an admin), null when inherited. */
  rowCapOverride: number | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The detail of one datasheet of the scope's space (one round trip). */
export async function datasheetDetail(
  prisma: PrismaClient,
  scope: Scope,
  datasheetId: string,
): Promise<DatasheetDetail> {
  const row = await prisma.datasheet.findFirst({
    where: { id: datasheetId, spaceId: scope.spaceId },
    include: {
      node: { select: { name: true, parentId: true } },
      space: { select: { plan: true, rowCap: true } },
    },
  });
  if (!row) throw datasheetNotFound(datasheetId);
  return {
    id: row.id,
    name: row.node.name,
    description: row.description,
    parentId: row.node.parentId,
    recordCount: row.recordCount,
    rowCap: rowCapFor(row.space.plan, row.space.rowCap, row.rowCap),
    rowCapOverride: row.rowCap,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/**
 * A datasheet's own row cap as given (`null` returns to the space's or plan's): a whole number from 1 to what
 * the space and plan allow, so a datasheet may be held below its space's cap, never above it.
 */
export async function checkRowCap(
  prisma: PrismaClient,
  scope: Scope,
  value: unknown,
  parameter = 'rowCap',
): Promise<number | null> {
  const space = await prisma.space.findUniqueOrThrow({
    where: { id: scope.spaceId },
    select: { plan: true, rowCap: true },
  });
  const ceiling = space.rowCap ?? PLAN_LIMITS[space.plan].rowsPerDatasheet;
  if (value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > ceiling)
    throw invalidArgument(`${parameter} must be null or a whole number from 1 to ${ceiling}`, { parameter });
  return value;
}

/** Sets a checked row cap (checkRowCap); it binds the next write, whatever the datasheet holds now. */
export async function writeRowCap(
  prisma: PrismaClient,
  scope: Scope,
  datasheetId: string,
  rowCap: number | null,
): Promise<void> {
  const updated = await prisma.datasheet.updateMany({
    where: { id: datasheetId, spaceId: scope.spaceId },
    data: { rowCap },
  });
  if (updated.count === 0) throw datasheetNotFound(datasheetId);
}
