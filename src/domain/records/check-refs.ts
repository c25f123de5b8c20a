import type { Queryable as Tx } from '../../db/client.js';
import { attachmentsByToken, existingRecordIds, spaceMemberIds } from '../../db/stores/cell-refs.store.js';
import { metaFromRow, toCellItem } from '../attachments/attachment-meta.js';
import type { CellRef } from '../cells/write-cells.js';
import { beyondReach, canReach } from '../access/reach.js';
import type { Scope } from '../context.js';
import { invalidArgument } from '../errors.js';

/**
 * Checks every reference a batch makes, one query per kind and target: linked records must exist in the
 * linked datasheet (one the caller reaches: else the batch is refused before anything is looked up), members must belong to the space, attachment tokens must be files of the same space.
 * Attachment cell items are completed with the file's metadata (size, mime type, dimensions).
 */
export async function checkRefs(
  tx: Tx,
  scope: Scope,
  refs: readonly CellRef[],
  patches: Record<string, unknown>[],
): Promise<void> {
  const { spaceId } = scope;
  const linkTargets = new Map<string, Set<string>>();
  const memberIds = new Set<string>();
  const tokens = new Set<string>();
  for (const ref of refs) {
    const r = ref.refs;
    if (r.kind === 'records') {
      // Which records of a datasheet the caller does not reach exist is not its to learn, nor to link to.
      if (!canReach(scope, r.datasheetId)) throw beyondReach({ fieldId: ref.fieldId });
      const set = linkTargets.get(r.datasheetId) ?? new Set<string>();
      for (const id of r.ids) set.add(id);
      linkTargets.set(r.datasheetId, set);
    } else if (r.kind === 'members') for (const id of r.ids) memberIds.add(id);
    else for (const token of r.tokens) tokens.add(token);
  }
  for (const [datasheetId, ids] of linkTargets) {
    const found = await existingRecordIds(tx, datasheetId, [...ids]);
    const missing = [...ids].filter((id) => !found.has(id));
    if (missing.length) {
      throw invalidArgument(`The linked field specifies a record (${missing.join(',')}) that does not exist`, {
        parameter: 'fields',
      });
    }
  }
  if (memberIds.size) {
    const members = await spaceMemberIds(tx, spaceId, [...memberIds]);
    if (members.size !== memberIds.size) {
      throw invalidArgument('The unit specified by the unit ID does not exist', { parameter: 'fields' });
    }
  }
  if (tokens.size) {
    // Read on the transaction's own connection: the embedded database has only one.
    const rows = await attachmentsByToken(tx, spaceId, [...tokens]);
    const files = new Map(rows.map((row) => [row.token, toCellItem(metaFromRow({ ...row, size: BigInt(row.size) }))]));
    if (files.size !== tokens.size) {
      throw invalidArgument('The attachment specified by the token does not exist', { parameter: 'fields' });
    }
    for (const { recordIndex, fieldId, refs: r } of refs) {
      if (r.kind !== 'attachments') continue;
      const items = patches[recordIndex]![fieldId] as { token: string }[];
      patches[recordIndex]![fieldId] = items.map((item) => ({ ...files.get(item.token), ...item }));
    }
  }
}
