import type { Readable } from 'node:stream';
import type { Database, PrismaClient } from '../../db/client.js';
import { analyzeRecords } from '../../db/stores/table-statistics.store.js';
import type { AttachmentService } from '../attachments/attachment.service.js';
import type { AttachmentStorage } from '../attachments/storage.js';
import type { Scope } from '../context.js';
import type { DatasheetService } from '../datasheets/datasheet.service.js';
import { loadSchema } from '../datasheets/schema.js';
import { DomainError } from '../errors.js';
import type { RecordService } from '../records/record.service.js';
import { csvRows, FileError, type FileRow } from './file-rows.js';
import { ChunkFailed, createChunkWriter } from './import-job.js';
import type { ImportLimits } from './import-limits.js';
import { planColumns, type HeaderMapping } from './import-plan.js';
import type { ImportTemplateService } from './template.service.js';
import { xlsxRows } from './xlsx-rows.js';

export type JobRow = NonNullable<Awaited<ReturnType<PrismaClient['importJob']['findUnique']>>>;

interface Source {
  kind: 'upload' | 'attachment';
  key?: string;
  token?: string;
  datasheetIds?: string[];
  createdDatasheet?: boolean;
}

export interface RunnerDeps {
  db: Database;
  prisma: PrismaClient;
  records: RecordService;
  datasheets: DatasheetService;
  templates: ImportTemplateService;
  attachments: AttachmentService;
  /** Where uploaded files wait for their import (private to imports; removed when the job ends). */
  files: AttachmentStorage;
  timeZone: string;
  maxTextLength?: number | undefined;
  limits: ImportLimits;
}

/** An import that wrote this many rows or more refreshes the planner's statistics (analyzeRecords). */
export const ANALYZE_MIN_ROWS = 10_000;

const SERVER_ERROR =
  'The import stopped because of a server error; rows after those written and reported were not imported';

/**
 * Runs one import job. An XLSX file is read once: its zip is checked as its rows are read (xlsx-rows.ts). A CSV file
 * is first read whole without writing (csv-parse alone, a small part of the job's time), so bad encoding, broken
 * quoting or too many rows fail it before anything changes; then it is read again, writing. The header is mapped to
 * fields, and valid rows are written in chunks. A chunk that cannot be written (the row cap), or a file error after
 * chunks were written, stops the job: earlier chunks stay committed, the report says which rows were not imported
 * and why.
 */
export async function runImportJob(deps: RunnerDeps, id: string): Promise<void> {
  const claimed = await deps.prisma.importJob.updateManyAndReturn({
    where: { id, status: 'queued' },
    data: { status: 'running', startedAt: new Date(), heartbeatAt: new Date() },
  });
  const job = claimed[0];
  if (!job) return;
  const source = job.source as unknown as Source;
  const scope: Scope = { spaceId: job.spaceId, userId: job.createdBy, datasheetIds: source.datasheetIds ?? [] };
  const finish = (data: { status: 'done' | 'failed'; error?: string | null }) =>
    deps.prisma.importJob.update({ where: { id }, data: { ...data, finishedAt: new Date() } });
  const open = async (): Promise<AsyncIterable<Uint8Array>> =>
    source.kind === 'upload'
      ? ((await deps.files.open(source.key!)) as Readable)
      : (await deps.attachments.open(source.token!, job.spaceId)).stream;
  let written = false;
  let writer: ReturnType<typeof createChunkWriter> | undefined;
  let rows: AsyncGenerator<FileRow> | undefined;
  let lastRow = 1;
  try {
    if (job.fileType === 'xlsx') rows = xlsxRows(await open(), deps.limits);
    else {
      for await (const _ of csvRows(await open(), deps.limits));
      rows = csvRows(await open(), deps.limits);
    }
    const first = await rows.next();
    if (first.done) throw new FileError('The file is empty: it has no header row');
    const header = first.value.cells;
    const schema = await loadSchema(deps.db, job.spaceId, job.datasheetId);
    const template = job.templateId
      ? (await deps.templates.get(scope, job.templateId).catch(() => undefined))?.columns
      : undefined;
    const mapping = job.mapping as HeaderMapping | null;
    const plan = planColumns(header, schema, template, mapping && Object.keys(mapping).length ? mapping : undefined);
    writer = createChunkWriter(
      { ...deps },
      { id, scope, datasheetId: job.datasheetId },
      schema,
      plan,
      async (progress) => {
        written = written || progress.rowsWritten > 0;
        await deps.prisma.importJob.update({ where: { id }, data: { ...progress, heartbeatAt: new Date() } });
      },
    );
    for await (const row of rows) {
      lastRow = row.rowNumber;
      await writer.add(row);
    }
    const progress = await writer.end();
    await deps.prisma.importJob.update({ where: { id }, data: progress });
    await finish({ status: 'done' });
  } catch (error) {
    if (error instanceof FileError) {
      // Rows read but not yet written are reported; what earlier chunks wrote stays.
      const from = writer ? await writer.abandon(`not imported: ${error.message}`, lastRow + 1) : lastRow + 1;
      if (source.createdDatasheet && !written) await deps.datasheets.remove(scope, job.datasheetId).catch(() => {});
      await finish({
        status: 'failed',
        error: written
          ? `Stopped at row ${from}: ${error.message}; rows from ${from} on were not imported`
          : error.message,
      });
    } else if (error instanceof ChunkFailed) {
      await finish({
        status: 'failed',
        error: `Stopped at row ${error.firstRow}: ${error.reason}; rows from ${error.firstRow} on were not imported`,
      });
    } else if (error instanceof DomainError) {
      await finish({ status: 'failed', error: error.message });
    } else {
      await finish({ status: 'failed', error: SERVER_ERROR }).catch(() => {});
      throw error;
    }
  } finally {
    await rows?.return(undefined);
    await writer?.settle();
    // A large import leaves the planner's statistics stale: the datasheet's pages would each sort all its rows (an
    // export of 1,000,000 imported rows grew with the square of the row count).
    if (writer && writer.progress.rowsWritten >= ANALYZE_MIN_ROWS) await analyzeRecords(deps.db).catch(() => {});
    if (source.kind === 'upload') await dropUpload(deps, id, source.key!);
  }
}

/** Removes the uploaded file once no other unfinished job reads the same bytes (files are content-addressed). */
async function dropUpload(deps: RunnerDeps, id: string, key: string): Promise<void> {
  const others = await deps.prisma.importJob.count({
    where: { id: { not: id }, status: { in: ['queued', 'running'] }, source: { path: ['key'], equals: key } },
  });
  if (others === 0) await deps.files.remove(key).catch(() => false);
}
