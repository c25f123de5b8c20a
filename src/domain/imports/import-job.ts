import type { PrismaClient } from '../../db/client.js';
import { prepareCells } from '../cells/write-cells.js';
import type { Scope } from '../context.js';
import type { DatasheetSchema } from '../datasheets/schema.js';
import { DomainError } from '../errors.js';
import type { RecordService } from '../records/record.service.js';
import { CellRuleError, cellValue } from './cell-text.js';
import type { FileRow } from './file-rows.js';
import type { PlannedColumn } from './import-plan.js';

/** Rows written per transaction (through the record service, so history, the feed and the row cap apply). */
export const IMPORT_CHUNK_ROWS = 500;
/** Errors kept per import; past it rows are still counted as rejected. */
export const MAX_STORED_ERRORS = 100_000;
const MAX_ERROR_VALUE_CHARS = 200;

export interface RowError {
  rowNumber: number;
  column: string | null;
  value: string | null;
  reason: string;
}

export interface Progress {
  rowsRead: number;
  rowsWritten: number;
  rowsRejected: number;
}

export interface ChunkWriterDeps {
  prisma: PrismaClient;
  records: RecordService;
  timeZone: string;
  maxTextLength?: number | undefined;
}

const clip = (text: string | undefined) =>
  text === undefined || text === ''
    ? null
    : text.length > MAX_ERROR_VALUE_CHARS
      ? `${text.slice(0, MAX_ERROR_VALUE_CHARS)}…`
      : text;

interface Chunk {
  rows: { rowNumber: number; input: Record<string, unknown> }[];
  /** Report lines of the chunk's rows (those rejected when read, then those its write rejects). */
  errors: RowError[];
}

const newChunk = (): Chunk => ({ rows: [], errors: [] });

/** The write of one row failed for a reason of the whole chunk (the row cap, the datasheet gone): the job stops. */
export class ChunkFailed extends Error {
  override name = 'ChunkFailed';
  constructor(
    readonly reason: string,
    readonly firstRow: number,
  ) {
    super(reason);
  }
}

/**
 * Validates rows and writes the valid ones in chunks. Each row is judged by the template's rules, the uniqueness of
 * unique columns within the file, the conversion of its text, and the field's own cell validation (prepareCells);
 * a rejected row is reported with each problem (row number, column, value, reason). A chunk that a row's value
 * still fails (e.g. too many new select options together) is retried without that row.
 */
export function createChunkWriter(
  deps: ChunkWriterDeps,
  job: { id: string; scope: Scope; datasheetId: string },
  schema: DatasheetSchema,
  plan: readonly PlannedColumn[],
  onProgress: (progress: Progress) => Promise<void>,
) {
  const progress: Progress = { rowsRead: 0, rowsWritten: 0, rowsRejected: 0 };
  // The only state that grows with the file: each distinct value of a `unique` column (and its first row), which
  // the check inherently needs. Everything else is two chunks (one being written while the next is read and judged)
  // and their unsaved report lines.
  const seen = new Map<string, Map<string, number>>();
  let chunk = newChunk();
  let writing: Promise<void> | undefined;
  let stored = 0;
  const headerOf = (index: number | null) =>
    index === null ? null : (plan.find((p) => p.index === index)?.header ?? null);

  function judge(row: FileRow): Record<string, unknown> | RowError[] {
    const problems: RowError[] = row.problems.map((p) => ({
      rowNumber: row.rowNumber,
      column: headerOf(p.column),
      value: p.column === null ? null : clip(row.cells[p.column]),
      reason: p.reason,
    }));
    const input: Record<string, unknown> = {};
    for (const p of plan) {
      const text = row.cells[p.index] ?? '';
      try {
        p.rules?.check(text);
        if (p.column?.unique && text.trim() !== '') {
          const values = seen.get(p.field.id) ?? new Map<string, number>();
          seen.set(p.field.id, values);
          const first = values.get(text.trim());
          if (first !== undefined) throw new CellRuleError(`repeats the value of row ${first} (the column is unique)`);
          values.set(text.trim(), row.rowNumber);
        }
        input[p.field.name] = cellValue(text, p.field, p.column, row.dates?.has(p.index));
      } catch (error) {
        if (!(error instanceof CellRuleError)) throw error;
        problems.push({ rowNumber: row.rowNumber, column: p.header, value: clip(text), reason: error.message });
      }
    }
    if (problems.length) return problems;
    try {
      prepareCells(schema.fields, [input], {
        fieldKey: 'name',
        timeZone: deps.timeZone,
        maxTextLength: deps.maxTextLength,
        allowEmpty: true,
      });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const field = (error.details as { field?: string }).field;
      const p = plan.find((c) => c.field.name === field);
      return [
        {
          rowNumber: row.rowNumber,
          column: p?.header ?? null,
          value: p ? clip(row.cells[p.index]) : null,
          reason: error.message,
        },
      ];
    }
    return input;
  }

  /** Rejects a row: counted, and its problems kept for the report of the chunk it belongs to (in row order). */
  function reject(errors: RowError[], rowErrors: RowError[]): void {
    progress.rowsRejected++;
    for (const e of rowErrors) {
      if (stored >= MAX_STORED_ERRORS) return;
      stored++;
      errors.push(e);
    }
  }

  async function saveErrors(errors: RowError[]): Promise<void> {
    if (!errors.length) return;
    errors.sort((a, b) => a.rowNumber - b.rowNumber);
    await deps.prisma.importRowError.createMany({ data: errors.map((e) => ({ importId: job.id, ...e })) });
  }

  /** Reports rows that will not be imported, and why; saves the chunk's report lines and the progress. */
  async function notImported(rows: Chunk['rows'], errors: RowError[], reason: string): Promise<void> {
    for (const r of rows) reject(errors, [{ rowNumber: r.rowNumber, column: null, value: null, reason }]);
    await saveErrors(errors);
    await onProgress({ ...progress });
  }

  async function flush({ rows: all, errors }: Chunk): Promise<void> {
    let rows = all;
    while (rows.length) {
      try {
        await deps.records.create(
          job.scope,
          job.datasheetId,
          rows.map((r) => r.input),
          { fieldKey: 'name', allowEmpty: true },
        );
        progress.rowsWritten += rows.length;
        break;
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        const index = (error.details as { recordIndex?: number }).recordIndex;
        const bad = typeof index === 'number' ? rows[index] : undefined;
        if (!bad || !error.is('INVALID_ARGUMENT')) {
          await notImported(rows, errors, `not imported: ${error.message}`);
          throw new ChunkFailed(error.message, rows[0]!.rowNumber);
        }
        reject(errors, [{ rowNumber: bad.rowNumber, column: null, value: null, reason: error.message }]);
        rows = rows.filter((r) => r !== bad);
      }
    }
    await saveErrors(errors);
    await onProgress({ ...progress });
  }

  /**
   * Waits for the chunk being written. When it failed (ChunkFailed), the rows read since are not imported either:
   * they are reported with its reason before the failure is thrown on.
   */
  async function written(): Promise<void> {
    const current = writing;
    writing = undefined;
    try {
      await current;
    } catch (error) {
      if (!(error instanceof ChunkFailed)) throw error;
      const { rows, errors } = chunk;
      chunk = newChunk();
      await notImported(rows, errors, `not imported: ${error.reason}`);
      throw error;
    }
  }

  return {
    progress,
    /** Judges a row; a full chunk starts being written while the next rows are read (one chunk in flight). */
    async add(row: FileRow): Promise<void> {
      progress.rowsRead++;
      const judged = judge(row);
      if (Array.isArray(judged)) reject(chunk.errors, judged);
      else chunk.rows.push({ rowNumber: row.rowNumber, input: judged });
      if (chunk.rows.length < IMPORT_CHUNK_ROWS && chunk.errors.length < IMPORT_CHUNK_ROWS) return;
      await written();
      const full = chunk;
      chunk = newChunk();
      writing = flush(full);
      writing.catch(() => {}); // awaited by the next add, end or abandon
    },
    /** Writes what is left; the progress as the last chunk left it. */
    async end(): Promise<Progress> {
      await written();
      const last = chunk;
      chunk = newChunk();
      await flush(last);
      return { ...progress };
    },
    /**
     * Reports the rows that were never written because the import stopped (a file error): those read since the last
     * chunk, and `fromRow`, where reading stopped. Answers the first row not imported.
     */
    async abandon(reason: string, fromRow: number): Promise<number> {
      let first = chunk.rows[0]?.rowNumber ?? fromRow;
      try {
        await written();
      } catch (error) {
        if (!(error instanceof ChunkFailed)) throw error;
        first = error.firstRow; // that chunk's rows are reported already
      }
      const { rows, errors } = chunk;
      chunk = newChunk();
      for (const r of rows) reject(errors, [{ rowNumber: r.rowNumber, column: null, value: null, reason }]);
      reject(errors, [{ rowNumber: fromRow, column: null, value: null, reason }]);
      progress.rowsRejected--; // the line says where reading stopped: it is no row that was read
      await saveErrors(errors);
      await onProgress({ ...progress });
      return first;
    },
    /** Waits for the chunk being written, whatever its outcome (the job stopped for another reason). */
    async settle(): Promise<void> {
      await written().catch(() => {});
    },
  };
}
