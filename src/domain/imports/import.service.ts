import type { Readable } from 'node:stream';
import { BlobTooLargeError } from '../attachments/storage.js';
import type { Scope } from '../context.js';
import { loadSchema, type DatasheetSchema } from '../datasheets/schema.js';
import { DomainError, invalidArgument, notFound } from '../errors.js';
import { newId } from '../ids.js';
import type { FieldType } from '../fields/field-type.js';
import { fieldTypeOf } from '../fields/registry.js';
import { defuseCsvCell } from '../exports/encoders.js';
import { checkMappingTargets, parseMapping } from './import-plan.js';
import { DEFAULT_IMPORT_LIMITS, IMPORT_HEARTBEAT_LAPSE_MS, type ImportLimits } from './import-limits.js';
import { runImportJob, type RunnerDeps } from './import-runner.js';
import { toView, type ImportErrorView, type ImportJobView } from './import-view.js';

export type { ImportErrorView, ImportJobView } from './import-view.js';
import { stringify } from 'csv-stringify/sync';

export interface ImportDeps extends Omit<RunnerDeps, 'limits'> {
  limits?: Partial<ImportLimits>;
  /** Jobs run at most this many at a time per process. */
  concurrency?: number;
  onError?: (error: unknown) => void;
}

export interface StartImport {
  datasheetId?: string | undefined;
  templateId?: string | null | undefined;
  /** With no datasheetId: the name of the datasheet made from the template (default: the template's name). */
  datasheetName?: string | null | undefined;
  mapping?: unknown;
  file?: { name: string; data: AsyncIterable<Uint8Array> } | undefined;
  attachmentToken?: string | null | undefined;
}

/** A new field's property: none for types that take none, else an empty object (the type fills its defaults). */
function defaultProperty(type: FieldType): Record<string, never> | undefined {
  try {
    fieldTypeOf(type).property.parse(undefined, { fieldIds: [] });
    return undefined;
  } catch {
    return {};
  }
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/** The file's bytes, remembering whether it starts like a zip (an XLSX workbook). */
function sniffed(data: AsyncIterable<Uint8Array>) {
  const state = { zip: false, started: false };
  async function* bytes() {
    for await (const chunk of data) {
      if (!state.started && chunk.length) {
        state.started = true;
        state.zip = ZIP_MAGIC.every((b, i) => chunk[i] === b);
      }
      yield chunk;
    }
  }
  return { state, bytes: bytes() };
}

const typeOf = (name: string, zip: boolean): 'csv' | 'xlsx' => (zip || /\.xlsx$/i.test(name) ? 'xlsx' : 'csv');

/**
 * Imports (seed 001): a CSV or XLSX file into a datasheet (or a new one made from a template), in the background. The
 * file is stored first (an upload) or named (an attachment token); a job row tracks progress and a per-row error
 * report; import-runner.ts does the work.
 */
export function createImportService(deps: ImportDeps) {
  const limits: ImportLimits = { ...DEFAULT_IMPORT_LIMITS, ...deps.limits };
  const running = new Set<Promise<void>>();
  const queue: string[] = [];
  const concurrency = deps.concurrency ?? 2;
  let active = 0;

  function pump(): void {
    while (active < concurrency && queue.length) {
      const id = queue.shift()!;
      active++;
      const run = runImportJob({ ...deps, limits }, id)
        .catch((error: unknown) => deps.onError?.(error))
        .finally(() => {
          active--;
          running.delete(run);
          pump();
        });
      running.add(run);
    }
  }

  async function storeUpload(file: NonNullable<StartImport['file']>) {
    const { state, bytes } = sniffed(file.data);
    try {
      const blob = await deps.files.put(bytes, { maxBytes: limits.maxFileBytes });
      return { source: { kind: 'upload', key: blob.key }, size: blob.size, type: typeOf(file.name, state.zip) };
    } catch (error) {
      if (error instanceof BlobTooLargeError) throw tooLarge();
      throw error;
    }
  }

  const tooLarge = () =>
    new DomainError(
      'FILE_TOO_LARGE',
      `The file is larger than ${limits.maxFileBytes / 2 ** 20} MiB, the import limit`,
      {
        parameter: 'file',
        limit: limits.maxFileBytes,
      },
    );

  async function start(scope: Scope, input: StartImport): Promise<ImportJobView> {
    const mapping = parseMapping(input.mapping);
    const template = input.templateId ? await deps.templates.get(scope, input.templateId) : undefined;
    let schema: DatasheetSchema | undefined;
    if (input.datasheetId) schema = await loadSchema(deps.db, scope.spaceId, input.datasheetId);
    else if (!template)
      throw invalidArgument('templateId is required to import into a new datasheet', { parameter: 'templateId' });
    if (schema) checkMappingTargets(mapping, schema);
    if (!input.file === !input.attachmentToken)
      throw invalidArgument('Send either a file or an attachmentToken', { parameter: 'file' });
    let stored: { source: Record<string, unknown>; size: number; type: 'csv' | 'xlsx' };
    let fileName: string;
    if (input.file) {
      fileName = input.file.name || 'import';
      stored = await storeUpload(input.file);
    } else {
      const opened = await deps.attachments.open(input.attachmentToken!, scope.spaceId).catch((error: unknown) => {
        throw error instanceof DomainError ? invalidArgument(error.message, { parameter: 'attachmentToken' }) : error;
      });
      (opened.stream as Readable).destroy();
      if (opened.size > limits.maxFileBytes) throw tooLarge();
      fileName = opened.name;
      const zip = /zip|spreadsheetml/.test(opened.mimeType);
      stored = {
        source: { kind: 'attachment', token: input.attachmentToken },
        size: opened.size,
        type: typeOf(fileName, zip),
      };
    }
    let datasheetId = input.datasheetId;
    if (!datasheetId) {
      const created = await deps.datasheets.create(scope, {
        name: input.datasheetName ?? template!.name,
        fields: template!.columns.map((c) => ({
          name: c.field,
          type: c.type,
          property: c.property ?? defaultProperty(c.type),
        })),
      });
      datasheetId = created.id;
      checkMappingTargets(mapping, created);
      stored.source.createdDatasheet = true;
    }
    const row = await deps.prisma.importJob.create({
      data: {
        id: newId('importJob'),
        spaceId: scope.spaceId,
        datasheetId,
        templateId: template?.id ?? null,
        fileName,
        fileType: stored.type,
        fileSize: BigInt(stored.size),
        source: { ...stored.source, datasheetIds: [...(scope.datasheetIds ?? [])] } as never,
        mapping: (mapping ?? {}) as never,
        createdBy: scope.userId,
      },
    });
    queue.push(row.id);
    pump();
    return toView(row);
  }

  /** A job of the scope's space (and, when given, of that datasheet); within the scope's datasheet restriction. */
  async function get(scope: Scope, importId: string, datasheetId?: string): Promise<ImportJobView> {
    const row = await deps.prisma.importJob.findFirst({ where: { id: importId, spaceId: scope.spaceId } });
    const restricted = scope.datasheetIds?.length && row && !scope.datasheetIds.includes(row.datasheetId);
    if (!row || restricted || (datasheetId !== undefined && row.datasheetId !== datasheetId))
      throw notFound('The import does not exist', { parameter: 'importId' });
    return toView(row);
  }

  async function errors(
    scope: Scope,
    importId: string,
    options: { datasheetId?: string; pageSize?: number; after?: string | null } = {},
  ): Promise<{ errors: ImportErrorView[]; nextCursor: string | null }> {
    await get(scope, importId, options.datasheetId);
    const pageSize = options.pageSize ?? 100;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000)
      throw invalidArgument('pageSize must be an integer from 1 to 1000', { parameter: 'pageSize' });
    const after = options.after ?? null;
    if (after !== null && !/^\d{1,18}$/.test(after)) throw invalidArgument('Invalid cursor', { parameter: 'cursor' });
    const rows = await deps.prisma.importRowError.findMany({
      where: { importId, ...(after ? { id: { gt: BigInt(after) } } : {}) },
      orderBy: { id: 'asc' },
      take: pageSize + 1,
    });
    const page = rows.slice(0, pageSize);
    return {
      errors: page.map(({ rowNumber, column, value, reason }) => ({ rowNumber, column, value, reason })),
      nextCursor: rows.length > pageSize ? String(page[page.length - 1]!.id) : null,
    };
  }

  /** The whole error report as CSV text, page by page (`row,column,value,reason`; formula-like text defused). */
  async function* errorsCsv(scope: Scope, importId: string, datasheetId?: string): AsyncGenerator<string> {
    let after: string | null = null;
    let first = true;
    do {
      const page = await errors(scope, importId, { datasheetId, pageSize: 1000, after });
      const rows = page.errors.map((e) =>
        [String(e.rowNumber), e.column ?? '', e.value ?? '', e.reason].map(defuseCsvCell),
      );
      if (first) rows.unshift(['row', 'column', 'value', 'reason']);
      first = false;
      yield stringify(rows, { record_delimiter: '\r\n' });
      after = page.nextCursor;
    } while (after !== null);
  }

  /** Fails jobs whose process stopped (queued or running, no heartbeat for a while): their report says where. */
  async function recoverStale(now = new Date()): Promise<number> {
    const { count } = await deps.prisma.importJob.updateMany({
      where: {
        status: { in: ['queued', 'running'] },
        OR: [
          { heartbeatAt: { lt: new Date(now.getTime() - IMPORT_HEARTBEAT_LAPSE_MS) } },
          { heartbeatAt: null, createdAt: { lt: new Date(now.getTime() - IMPORT_HEARTBEAT_LAPSE_MS) } },
        ],
      },
      data: {
        status: 'failed',
        error:
          'The import was interrupted (its server stopped); rows after those written and reported were not imported',
        finishedAt: now,
      },
    });
    return count;
  }

  return {
    start,
    get,
    errors,
    errorsCsv,
    recoverStale,
    /** Resolves when no job runs in this process (tests, shutdown). */
    async idle(): Promise<void> {
      while (running.size) await Promise.allSettled([...running]);
    },
  };
}

export type ImportService = ReturnType<typeof createImportService>;
