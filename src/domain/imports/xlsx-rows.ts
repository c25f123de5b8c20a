import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createRequire } from 'node:module';
import type ExcelJS from 'exceljs';
import type Unzipper from 'unzipper';
import type { Entry as ZipEntry } from 'unzipper';
import { room } from '../exports/encoders.js';
import { FileError, type FileRow, type ReadLimits } from './file-rows.js';

// exceljs and unzipper are loaded on first use, synchronously: a server that never reads or writes XLSX never holds them.
const load = createRequire(import.meta.url);

type Source = AsyncIterable<Uint8Array>;

/**
 * Checks an XLSX file's zip as it streams by: what its entries expand to (a zip bomb is refused) and how many there
 * are, and that it has a workbook part (unzipper; memory bounded by one chunk).
 */
async function checkZip(input: Readable, limits: ReadLimits): Promise<void> {
  let total = 0;
  let entries = 0;
  let workbook = false;
  const zip = (load('unzipper') as typeof Unzipper).Parse({ forceStream: true });
  const feeding = pipeline(input, zip).catch((error: unknown) => zip.destroy(error as Error));
  try {
    for await (const entry of zip as AsyncIterable<ZipEntry>) {
      if (++entries > limits.maxZipEntries) throw new FileError('The XLSX file has too many parts to be a workbook');
      if (entry.path === 'xl/workbook.xml') workbook = true;
      for await (const chunk of entry as AsyncIterable<Buffer>) {
        total += chunk.length;
        if (total > limits.maxUncompressedBytes)
          throw new FileError(
            `The XLSX file expands to more than ${Math.round(limits.maxUncompressedBytes / 2 ** 20)} MiB; split it and import each part`,
          );
      }
    }
  } catch (error) {
    if (error instanceof FileError) throw error;
    throw new FileError('The file is not an XLSX workbook (it cannot be unzipped)');
  } finally {
    zip.destroy();
    await feeding;
  }
  if (!workbook) throw new FileError('The file is not an XLSX workbook (it has no workbook part)');
}

/** An XLSX cell as text, or the problem that keeps it from being imported. */
function xlsxCell(value: ExcelJS.CellValue): string | { problem: string } {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if ('formula' in value || 'sharedFormula' in value)
    return { problem: 'holds a formula; save the sheet with its values (paste as values) and import it again' };
  if ('error' in value) return { problem: `holds the error value ${String(value.error)}` };
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('text' in value) return String(value.text);
  return String(value);
}

/** One exceljs row as a FileRow: cells as text, a formula or error value or an over-long cell as a problem. */
function fileRow(row: ExcelJS.Row, width: number, limits: ReadLimits): FileRow {
  const values = (row.values as ExcelJS.CellValue[]).slice(1);
  if (values.length > limits.maxColumns)
    throw new FileError(`Row ${row.number} has more than ${limits.maxColumns} columns`);
  const problems: FileRow['problems'] = [];
  const dates = new Set<number>();
  const cells = Array.from(values, (value, column) => {
    if (value instanceof Date) dates.add(column);
    const cell = xlsxCell(value);
    if (typeof cell === 'string') {
      if (cell.length > limits.maxCellChars)
        problems.push({ column, reason: `is longer than ${limits.maxCellChars} characters` });
      return cell;
    }
    problems.push({ column, reason: cell.problem });
    return '';
  });
  if (width >= 0 && cells.length > width)
    problems.push({ column: null, reason: `has ${cells.length} cells, the header has ${width}` });
  while (cells.length < width) cells.push('');
  return { rowNumber: row.number, cells, problems, dates };
}

/**
 * Rows of an XLSX file's first worksheet, reading the file once: each chunk of the source goes both to exceljs's
 * streaming reader and to checkZip, in step (the next chunk is read when both have taken the last), so the zip is
 * checked as the rows are read instead of in a pass of its own. A zip bomb, too many parts or a damaged zip stop the
 * rows where checkZip finds them (no row is given out after it); once the first worksheet is read, the rest of the
 * file still goes through checkZip, so the last row is followed by the verdict on the whole file.
 */
export async function* xlsxRows(source: Source, limits: ReadLimits): AsyncGenerator<FileRow> {
  const forRows = new PassThrough();
  const forZip = new PassThrough();
  let zipFailure: unknown;
  let stopped = false;
  const checking = checkZip(forZip, limits).catch((error: unknown) => {
    zipFailure = error;
    stopped = true;
  });
  const feeding = (async () => {
    try {
      for await (const chunk of source) {
        if (stopped) break;
        for (const out of [forRows, forZip]) if (!out.destroyed) out.write(chunk);
        await Promise.all([room(forRows), room(forZip)]);
      }
    } finally {
      for (const out of [forRows, forZip]) if (!out.destroyed) out.end();
    }
  })();
  const reader = new (load('exceljs') as typeof ExcelJS).stream.xlsx.WorkbookReader(forRows, {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    worksheets: 'emit',
    entries: 'ignore',
  });
  let width = -1;
  let read = 0;
  let unreadable = false;
  let abandoned = true;
  try {
    try {
      for await (const sheet of reader) {
        for await (const row of sheet as unknown as AsyncIterable<ExcelJS.Row>) {
          if (zipFailure) throw zipFailure;
          if (++read > limits.maxRows + 1)
            throw new FileError(`The file has more than ${limits.maxRows} rows; split it and import each part`);
          const next = fileRow(row, width, limits);
          if (width < 0) width = next.cells.length;
          yield next;
        }
        break; // the first worksheet only
      }
    } catch (error) {
      if (error instanceof FileError) throw error;
      unreadable = true; // checkZip may know why: its verdict comes first
    }
    abandoned = false;
  } finally {
    // The reader takes no more bytes; unless the rows were abandoned, checkZip reads what is left of the file.
    if (abandoned) stopped = true;
    forRows.destroy();
    if (abandoned) forZip.destroy();
    await feeding;
    await checking;
  }
  if (zipFailure) throw zipFailure;
  if (unreadable) throw new FileError('The XLSX workbook cannot be read (it is damaged or not a workbook)');
}
