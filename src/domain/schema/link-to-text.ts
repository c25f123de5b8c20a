import { asQueryable } from '../../db/client.js';
import { fieldCells, selectRecords, setTextCells } from '../../db/stores/record.store.js';
import type { Tx } from '../../db/tx.js';
import type { FieldDef } from '../fields/field-type.js';
import { fieldTypeOf } from '../fields/registry.js';
import { readLinksString } from '../fields/shared/link.js';

/** The type a link becomes when its cells are kept as text (the reference's `conversion: keepText`). */
const TEXT_TYPE = 'Text';

/**
 * Turns a link field into a text field whose cells hold what they showed: the linked records' primary values
 * (as strings, `Unnamed record` for blank ones), comma-separated, as cellFormat=string reads a link. Runs in the
 * caller's transaction, before or after the link's sibling is dropped (the linked records are not touched).
 */
export async function linkToText(
  tx: Tx,
  field: { id: string; datasheetId: string },
  linkedDatasheetId: string,
  options: { timeZone: string },
): Promise<void> {
  const q = asQueryable(tx);
  const cells = await fieldCells(q, field.datasheetId, field.id);
  const ids = [...new Set(cells.flatMap((c) => (Array.isArray(c.value) ? c.value.map(String) : [])))];
  const titles = new Map<string, string>();
  const primary = ids.length
    ? await tx.field.findFirst({ where: { datasheetId: linkedDatasheetId, isPrimary: true } })
    : null;
  if (primary) {
    const def = { ...primary, isPrimary: true } as unknown as FieldDef;
    for (const record of await selectRecords(q, linkedDatasheetId, ids)) {
      const text = fieldTypeOf(def.type).read.string(record.cells[def.id], def, {
        timeZone: options.timeZone,
        record,
        user: () => undefined,
        linkedTitle: () => undefined,
        attachmentUrl: () => '',
      });
      if (text) titles.set(record.id, text);
    }
  }
  const texts = cells.map((c) => ({
    id: c.id,
    text: readLinksString(c.value, {
      timeZone: options.timeZone,
      record: { createdAt: new Date(0), updatedAt: new Date(0), createdBy: null, updatedBy: null },
      user: () => undefined,
      linkedTitle: (id) => titles.get(id),
      attachmentUrl: () => '',
    }),
  }));
  await setTextCells(q, field.datasheetId, field.id, texts);
  await tx.field.update({ where: { id: field.id }, data: { type: TEXT_TYPE, property: {} } });
}
