import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';

/** One row of a file: its number (the header is row 1, as a spreadsheet counts), its cells as text, and its problems. */
export interface FileRow {
  rowNumber: number;
  cells: string[];
  /** Cells that cannot be imported as they are (an XLSX formula or error value, an over-long cell); column is 0-based. */
  problems: { column: number | null; reason: string }[];
  /** XLSX: columns whose cell is a date value (its text is ISO, whatever a template's date format says). */
  dates?: Set<number>;
}

export interface ReadLimits {
  maxRows: number;
  maxColumns: number;
  maxCellChars: number;
  /** XLSX: bytes all entries of the zip may expand to (a zip bomb is refused before any row is read). */
  maxUncompressedBytes: number;
  maxZipEntries: number;
}

/** The file as a whole cannot be imported: the message says why, in words a person can act on. */
export class FileError extends Error {
  override name = 'FileError';
}

type Source = AsyncIterable<Uint8Array>;

/** Bytes as UTF-8 text, refusing invalid UTF-8 (with the byte offset) instead of replacing it. */
async function* utf8(source: Source): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let offset = 0;
  for await (const chunk of source) {
    try {
      yield decoder.decode(chunk, { stream: true });
    } catch {
      throw new FileError(
        `The file is not valid UTF-8 text (near byte ${offset}): save it as UTF-8 (CSV UTF-8) and import it again`,
      );
    }
    offset += chunk.byteLength;
  }
  try {
    const rest = decoder.decode();
    if (rest) yield rest;
  } catch {
    throw new FileError('The file is not valid UTF-8 text (it ends inside a character): save it as UTF-8');
  }
}

/**
 * Rows of a CSV file as they are parsed (csv-parse's stream: memory holds one record). Every cell is data: text
 * starting with `=` is imported as that text. A row with another number of cells than the header is kept with a
 * problem (ragged); broken quoting or invalid UTF-8 fail the file.
 */
export async function* csvRows(source: Source, limits: ReadLimits): AsyncGenerator<FileRow> {
  const parser = parse({
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: limits.maxCellChars * 4,
  });
  const feeding = pipeline(Readable.from(utf8(source)), parser).catch((error: unknown) =>
    parser.destroy(error as Error),
  );
  let rowNumber = 0;
  let width = -1;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      rowNumber++;
      if (rowNumber > limits.maxRows + 1)
        throw new FileError(`The file has more than ${limits.maxRows} rows; split it and import each part`);
      if (record.length > limits.maxColumns)
        throw new FileError(`Row ${rowNumber} has more than ${limits.maxColumns} columns`);
      const problems: FileRow['problems'] = [];
      if (width < 0) width = record.length;
      else if (record.length !== width)
        problems.push({ column: null, reason: `has ${record.length} cells, the header has ${width}` });
      record.forEach((cell, column) => {
        if (cell.length > limits.maxCellChars)
          problems.push({ column, reason: `is longer than ${limits.maxCellChars} characters` });
      });
      yield { rowNumber, cells: record, problems };
    }
  } catch (error) {
    if (error instanceof FileError) throw error;
    const code = (error as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('CSV_'))
      throw new FileError(
        `The CSV file cannot be read after row ${rowNumber}: ${code.slice(4).replaceAll('_', ' ').toLowerCase()}`,
      );
    throw error;
  } finally {
    parser.destroy();
    await feeding;
  }
}
