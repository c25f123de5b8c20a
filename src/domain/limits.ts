import type { Plan } from './spaces/plans.js';

/** Every limit in one place (aitable-fusion-api.md §3). */
export const MAX_FIELDS_PER_DATASHEET = 200;
export const MAX_VIEWS_PER_DATASHEET = 30;
export const MAX_NAME_LENGTH = 100;
export const MAX_DESCRIPTION_LENGTH = 500;
/** Records per service batch; the Fusion facade applies its own 10-per-request limit on top. */
export const MAX_RECORDS_PER_BATCH = 1_000;
/** The Fusion API's records per create/update/delete request (the reference's API_MAX_MODIFY_RECORD_COUNTS). */
export const FUSION_RECORDS_PER_REQUEST = 10;

/** The reference's text, literal `$` and double space included (aitable-fusion-api.md §3). */
export const batchLimitMessage = (limit: number) => `Can't update/delete/create more than $${limit}  records in one single request`;
/** Embed links per datasheet (the reference's api_embed_link_limit names a maximum but not its value). */
export const MAX_EMBED_LINKS_PER_NODE = 30;
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
