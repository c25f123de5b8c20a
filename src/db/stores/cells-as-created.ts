/** A history row as this rule reads it: the field (or `@deleted` / `@moved` for a whole row) and its old value. */
export interface ChangeBefore {
  fieldId: string;
  oldValue: unknown;
}

/**
 * A record's cells as created: its current cells (none once deleted) with every change since undone, walking its
 * changes newest first (a deletion or a move sets back the whole row it kept, `{cells}`). The one rule for the
 * history's creation entries (domain/history/record-history.ts) and the change feed's created events (feed.store.ts).
 */
export function cellsAsCreated(
  current: Record<string, unknown> | undefined,
  changesNewestFirst: readonly ChangeBefore[],
): Record<string, unknown> {
  let cells: Record<string, unknown> = { ...current };
  for (const row of changesNewestFirst) {
    if (row.fieldId === '@moved' || row.fieldId === '@deleted')
      cells = { ...(row.oldValue as { cells: Record<string, unknown> }).cells };
    else if (row.oldValue === null) delete cells[row.fieldId];
    else cells[row.fieldId] = row.oldValue;
  }
  return cells;
}
