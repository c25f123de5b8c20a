import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { createRequire } from 'node:module';
import type ExcelJS from 'exceljs';

// exceljs are loaded on first use, synchronously: a server that never reads or writes XLSX never holds them.
const load = createRequire(import.meta.url);

export const EXPORT_FORMATS = ['csv', 'xlsx', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  jsonl: 'application/x-ndjson; charset=utf-8',
};

/** One exported record: its id, and its cells in column order (strings for csv/xlsx, JSON values for jsonl). */
export interface ExportRow {
  recordId: string;
  cells: unknown[];
}

/** Writes one file of rows to a sink, page by page; `page` resolves once the sink has room for more. */
export interface ExportEncoder {
  page(rows: readonly ExportRow[]): Promise<void>;
  end(): Promise<void>;
}

/**
 * Text a spreadsheet would take for a formula (starts with = + - @, a tab or a carriage return) gets a leading
 * apostrophe in CSV, so opening the file never runs what a cell says (OWASP's CSV injection advice). Numbers
 * such as `-3` are left alone: they are data to every spreadsheet.
 */
export function defuseCsvCell(text: string): string {
  if (!/^[=+\-@\t\r]/.test(text) || /^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text)) return text;
  return `'${text}`;
}

/** Waits until the sink drains (or closes): the producer reads no further page than the client takes. */
export async function room(sink: Writable): Promise<void> {
  if (!sink.writableNeedDrain || sink.destroyed) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      sink.off('drain', done).off('close', done).off('error', done);
      resolve();
    };
    sink.on('drain', done).on('close', done).on('error', done);
  });
}

function write(sink: Writable, text: string): Promise<void> {
  sink.write(text);
  return room(sink);
}

export function encoderFor(format: ExportFormat, sink: Writable, header: readonly string[]): ExportEncoder {
  if (format === 'csv') {
    let started = false;
    return {
      async page(rows) {
        const lines = rows.map((r) => r.cells.map((c) => defuseCsvCell((c as string | null) ?? '')));
        if (!started) lines.unshift(header.map(defuseCsvCell));
        started = true;
        await write(sink, stringify(lines, { record_delimiter: '\r\n' }));
      },
      async end() {
        if (!started) sink.write(stringify([header.map(defuseCsvCell)], { record_delimiter: '\r\n' }));
        await new Promise<void>((resolve) => sink.end(resolve));
      },
    };
  }
  if (format === 'jsonl') {
    return {
      async page(rows) {
        let text = '';
        for (const row of rows) {
          const fields: Record<string, unknown> = {};
          row.cells.forEach((value, i) => {
            if (value !== undefined) fields[header[i]!] = value;
          });
          text += `${JSON.stringify({ recordId: row.recordId, fields })}\n`;
        }
        await write(sink, text);
      },
      async end() {
        await new Promise<void>((resolve) => sink.end(resolve));
      },
    };
  }
  // XLSX: the streaming writer zips each committed row away; no shared strings or styles are kept in memory.
  const { stream } = load('exceljs') as typeof ExcelJS;
  const workbook = new stream.xlsx.WorkbookWriter({ stream: sink, useStyles: false, useSharedStrings: false });
  const sheet = workbook.addWorksheet('Sheet1');
  sheet.addRow([...header]).commit();
  return {
    async page(rows) {
      for (const row of rows) sheet.addRow(row.cells.map((c) => c ?? null)).commit();
      await room(sink);
    },
    async end() {
      sheet.commit();
      await workbook.commit();
    },
  };
}
