import { migrate } from '../../../src/db/migrate.js';
import type { FormulaRecord } from '../../../src/domain/formula/index.js';
import { emptyDatabase } from '../../support/db.js';

/** A migrated database with one space, for the formula database tests (rows inserted directly into `records`). */
export async function formulaDatabase() {
  const db = await emptyDatabase();
  await migrate(db);
  await db.query(`INSERT INTO spaces (id, name, updated_at) VALUES ('spcFormula0001', 'formulas', now())`);
  let sheets = 0;
  return Object.assign(db, {
    /** A new datasheet holding `records` (cells as stored, created/updated times with ms precision). */
    async datasheet(records: readonly FormulaRecord[]): Promise<string> {
      const id = `dstFormula${String(++sheets).padStart(6, '0')}`;
      await db.query(
        `INSERT INTO nodes (id, space_id, type, name, position, updated_at) VALUES ($1, 'spcFormula0001', 'DATASHEET', $1, $2, now())`,
        [id, sheets],
      );
      await db.query(`INSERT INTO datasheets (id, space_id, updated_at) VALUES ($1, 'spcFormula0001', now())`, [id]);
      if (records.length) {
        await db.query(
          `INSERT INTO records (id, datasheet_id, cells, position, created_at, updated_at)
           SELECT t.id, $1, t.cells::jsonb, t.i, t.created::timestamp, t.updated::timestamp
           FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS t(id, cells, created, updated, i)`,
          [
            id,
            records.map((r) => r.id),
            records.map((r) => JSON.stringify(r.cells)),
            records.map((r) => r.createdAt.toISOString()),
            records.map((r) => r.updatedAt.toISOString()),
          ],
        );
      }
      return id;
    },
  });
}

export type FormulaDatabase = Awaited<ReturnType<typeof formulaDatabase>>;
