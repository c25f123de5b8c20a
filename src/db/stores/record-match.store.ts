import type { Queryable } from '../client.js';

/**
 * For each key (the stored values of `fieldIds`, in order, as one JSON array), the ids of the datasheet's records
 * whose cells hold exactly those values (jsonb equality). One statement for the whole batch: the keys are joined to
 * the rows on the same array built from each row's cells. Answers, per key index, the matching record ids.
 */
export async function recordsMatchingKeys(
  q: Queryable,
  datasheetId: string,
  fieldIds: readonly string[],
  keys: readonly unknown[][],
): Promise<Map<number, string[]>> {
  const matches = new Map<number, string[]>();
  if (keys.length === 0 || fieldIds.length === 0) return matches;
  // Field ids are bound as parameters ($3, $4, …), never spliced into the statement.
  const cellArray = `jsonb_build_array(${fieldIds.map((_, i) => `r.cells -> $${i + 3}::text`).join(', ')})`;
  const rows = await q.query<{ i: number | string; id: string }>(
    `SELECT k.i - 1 AS i, r.id
     FROM unnest($2::text[]) WITH ORDINALITY AS k(key, i)
     JOIN records r ON r.datasheet_id = $1 AND ${cellArray} = k.key::jsonb
     ORDER BY k.i, r.id`,
    [datasheetId, keys.map((k) => JSON.stringify(k)), ...fieldIds],
  );
  for (const row of rows) {
    const i = Number(row.i);
    matches.set(i, [...(matches.get(i) ?? []), row.id]);
  }
  return matches;
}
