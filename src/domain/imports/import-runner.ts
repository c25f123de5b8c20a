import type { Readable } from 'node:stream';
import type { Database, PrismaClient } from '../../db/client.js';
import type { AttachmentService } from '../attachments/attachment.service.js';
import type { AttachmentStorage } from '../attachments/storage.js';
import type { Scope } from '../context.js';
import type { DatasheetService } from '../datasheets/datasheet.service.js';
import { loadSchema } from '../datasheets/schema.js';
import { DomainError } from '../errors.js';
import type { RecordService } from '../records/record.service.js';
import { csvRows, FileError, scanXlsx, xlsxRows, type FileRow } from './file-rows.js';
import { ChunkFailed, createChunkWriter } from './import-job.js';
import type { ImportLimits } from './import-limits.js';
import { planColumns, type HeaderMapping } from './import-plan.js';
import type { ImportTemplateService } from './template.service.js';

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

const SERVER_ERROR =
  'The import stopped because of a server error; rows after those written and reported were not imported';

/**
 * Runs one import job: reads the whole file once without writing (bad encoding, broken quoting, a zip bomb, too many
 * rows fail it there, and nothing changes), maps its header to fields, then reads it again writing valid rows in
 * chunks. A chunk that cannot be written (the row cap) stops the job: earlier chunks stay committed, the report says
 * which rows were not imported and why.
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
  const rowsOf = async (): Promise<AsyncGenerator<FileRow>> =>
    job.fileType === 'xlsx' ? xlsxRows(await open(), deps.limits) : csvRows(await open(), deps.limits);
  let written = false;
  try {
    if (job.fileType === 'xlsx') await scanXlsx(await open(), deps.limits);
    let header: string[] | undefined;
    for await (const row of await rowsOf()) header ??= row.cells;
    if (!header) throw new FileError('The file is empty: it has no header row');
    const schema = await loadSchema(deps.db, job.spaceId, job.datasheetId);
    const template = job.templateId
      ? (await deps.templates.get(scope, job.templateId).catch(() => undefined))?.columns
      : undefined;
    const mapping = job.mapping as HeaderMapping | null;
    const plan = planColumns(header, schema, template, mapping && Object.keys(mapping).length ? mapping : undefined);
    const writer = createChunkWriter(
      { ...deps },
      { id, scope, datasheetId: job.datasheetId },
      schema,
      plan,
      async (progress) => {
        written = written || progress.rowsWritten > 0;
        await deps.prisma.importJob.update({ where: { id }, data: { ...progress, heartbeatAt: new Date() } });
      },
    );
    let first = true;
    for await (const row of await rowsOf()) {
      if (first) {
        first = false;
        continue;
      }
      await writer.add(row);
    }
    const progress = await writer.end();
    await deps.prisma.importJob.update({ where: { id }, data: progress });
    await finish({ status: 'done' });
  } catch (error) {
    if (error instanceof FileError) {
      if (source.createdDatasheet && !written) await deps.datasheets.remove(scope, job.datasheetId).catch(() => {});
      await finish({ status: 'failed', error: error.message });
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
