import type { Plan } from './spaces/plans.js';
import { invalidArgument } from './errors.js';

/** Every limit in one place (aitable-fusion-api.md §3). */
export const MAX_FIELDS_PER_DATASHEET = 200;
export const MAX_VIEWS_PER_DATASHEET = 30;
export const MAX_NAME_LENGTH = 100;
export const MAX_DESCRIPTION_LENGTH = 500;
/** Records created, updated, deleted or moved in one batch (a transport may take fewer per request). */
export const MAX_RECORDS_PER_BATCH = 1_000;
/** Creates, updates and deletes together in one batch of mixed record changes (records/apply-changes.ts). */
export const MAX_CHANGES_PER_BATCH = 500;
/** Embed links per datasheet (the reference's api_embed_link_limit names a maximum but not its value). */
export const MAX_EMBED_LINKS_PER_NODE = 30;
/** Webhooks per datasheet. */
export const MAX_WEBHOOKS_PER_DATASHEET = 20;
export const DEFAULT_ROW_CAP = 50_000;
export const GB = 1024 ** 3;

/** Per-plan defaults; a space (and, for rows, a datasheet) may override them. */
export const PLAN_LIMITS: Record<Plan, { rowsPerDatasheet: number; attachmentBytes: number }> = {
  FREE: { rowsPerDatasheet: DEFAULT_ROW_CAP, attachmentBytes: 1 * GB },
  PLUS: { rowsPerDatasheet: DEFAULT_ROW_CAP, attachmentBytes: 10 * GB },
  PRO: { rowsPerDatasheet: 100_000, attachmentBytes: 100 * GB },
  ENTERPRISE: { rowsPerDatasheet: 1_000_000, attachmentBytes: 1024 * GB },
};

export function rowCapFor(plan: Plan, spaceCap: number | null, datasheetCap: number | null): number {
  return datasheetCap ?? spaceCap ?? PLAN_LIMITS[plan].rowsPerDatasheet;
}

export function attachmentCapacityFor(plan: Plan, spaceCapacity: bigint | null): bigint {
  return spaceCapacity ?? BigInt(PLAN_LIMITS[plan].attachmentBytes);
}

/** Options of one SingleSelect/MultiSelect field (the reference documents none; reads and writes stay linear well past it). */
export const MAX_SELECT_OPTIONS = 1_000;
/** Options a write (one request or batch) may add to the datasheet's select fields, all fields together. */
export const MAX_NEW_SELECT_OPTIONS_PER_WRITE = 100;
/** Characters of one select option name. */
export const MAX_OPTION_NAME_LENGTH = 1_000;
/** Characters of one text cell (and of each string inside any cell) unless MAX_TEXT_CELL_LENGTH says otherwise. */
export const DEFAULT_MAX_TEXT_CELL_LENGTH = 100_000;
/** PostgreSQL's int4, which LIMIT/OFFSET parameters are bound as: larger offsets and caps are clamped to it. */
export const MAX_INT4 = 2 ** 31 - 1;
/** PostgreSQL's bigint, the type of serial cursors (audit events, record history). */
const MAX_INT8 = 2n ** 63n - 1n;

/** A serial-id cursor (`before`): digits within bigint, or code 400 naming the parameter. */
export function serialCursor(value: string | null | undefined, parameter: string): bigint | null {
  if (value === undefined || value === null) return null;
  if (!/^\d{1,19}$/.test(value) || BigInt(value) > MAX_INT8) throw invalidArgument('Invalid cursor', { parameter });
  return BigInt(value);
}
