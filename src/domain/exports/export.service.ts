import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { PrismaClient, Queryable } from '../../db/client.js';
import type { Scope } from '../context.js';
import { loadSchema, type DatasheetSchema } from '../datasheets/schema.js';
import { DomainError, invalidArgument } from '../errors.js';
import type { FieldDef } from '../fields/field-type.js';
import { newId, randomBase62 } from '../ids.js';
import type { RecordService } from '../records/record.service.js';
import { CONTENT_TYPES, EXPORT_FORMATS, encoderFor, type ExportFormat } from './encoders.js';

export type { ExportFormat } from './encoders.js';

/** A one-time download link is usable once, within this time. */
export const EXPORT_LINK_TTL_MS = 10 * 60 * 1000;
/** Download capabilities are recognisable (and redacted from logs) by this prefix. */
export const EXPORT_SECRET_PREFIX = 'tbx_';
export const DOWNLOAD_LINK_INVALID = 'The download URL is not valid, was already used or has expired';

export interface ExportRequest {
  viewId?: string | null | undefined;
  format?: string | null | undefined;
}

/** What a transport needs before the first byte: the file's name and type; then `write` streams it. */
export interface ExportPlan {
  scope: Scope;
  datasheetId: string;
  viewId: string | undefined;
  format: ExportFormat;
  fileName: string;
  contentType: string;
  columns: FieldDef[];
}

export interface ExportDeps {
  db: Queryable;
  prisma: PrismaClient;
  records: RecordService;
  /** The absolute URL a download secret is served at. */
  downloadUrl: (secret: string) => string;
  now?: () => Date;
}

const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

function formatOf(value: string | null | undefined): ExportFormat {
  const format = (value ?? 'csv').toLowerCase();
  if (!(EXPORT_FORMATS as readonly string[]).includes(format))
    throw invalidArgument(`format must be one of ${EXPORT_FORMATS.join(', ')}`, { parameter: 'format' });
  return format as ExportFormat;
}

/** The view's visible fields in its column order (fields it does not order follow in datasheet order); else all. */
function columnsOf(schema: DatasheetSchema, viewId: string | undefined): FieldDef[] {
  if (viewId === undefined) return schema.fields;
  const view = schema.views.find((v) => v.id === viewId);
  if (!view) throw invalidArgument('The view does not exist', { parameter: 'viewId' });
  const byId = new Map(schema.fields.map((f) => [f.id, f]));
  const ordered = view.columnOrder.map((id) => byId.get(id)).filter((f): f is FieldDef => f !== undefined);
  const rest = schema.fields.filter((f) => !view.columnOrder.includes(f.id));
  return [...ordered, ...rest].filter((f) => !view.hiddenFields.includes(f.id));
}

/** A file name safe in any header and file system: the datasheet's name, control and path characters replaced. */
const fileNameOf = (name: string, format: ExportFormat) =>
  `${name.replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, '_').slice(0, 100) || 'export'}.${format}`;

/**
 * Exports of a datasheet or a view (its filter, sorts, hidden fields, column order) as CSV, XLSX or JSONL. Records are
 * read in keyset pages of 1,000 (records.queryAllPages) and each page is written before the next is read, waiting
 * while the client is slow: memory holds one page whatever the row count, and there is no row cap.
 */
export function createExportService(deps: ExportDeps) {
  const now = deps.now ?? (() => new Date());

  async function prepare(scope: Scope, datasheetId: string, request: ExportRequest): Promise<ExportPlan> {
    const format = formatOf(request.format);
    const viewId = request.viewId || undefined;
    const schema = await loadSchema(deps.db, scope.spaceId, datasheetId);
    const columns = columnsOf(schema, viewId);
    return {
      scope,
      datasheetId,
      viewId,
      format,
      fileName: fileNameOf(schema.name, format),
      contentType: CONTENT_TYPES[format],
      columns,
    };
  }

  /** Streams the file to `sink`; stops reading when `signal` aborts (the client went away). */
  async function write(plan: ExportPlan, sink: Writable, signal?: AbortSignal): Promise<number> {
    const encoder = encoderFor(
      plan.format,
      sink,
      plan.columns.map((f) => f.name),
    );
    const ids = plan.columns.map((f) => f.id);
    const cellFormat = plan.format === 'jsonl' ? 'json' : 'string';
    const pages = deps.records.queryAllPages(plan.scope, plan.datasheetId, {
      viewId: plan.viewId,
      fields: ids.length ? ids : undefined,
      fieldKey: 'id',
      cellFormat,
    });
    let count = 0;
    for await (const page of pages) {
      if (signal?.aborted) return count;
      count += page.records.length;
      await encoder.page(page.records.map((r) => ({ recordId: r.recordId, cells: ids.map((id) => r.fields[id]) })));
    }
    if (!signal?.aborted) await encoder.end();
    return count;
  }

  /** A one-time download URL for the export (the caller's access was checked): single use, short-lived. */
  async function createDownload(
    scope: Scope,
    datasheetId: string,
    request: ExportRequest,
  ): Promise<{ url: string; expiresAt: Date }> {
    const plan = await prepare(scope, datasheetId, request);
    const secret = EXPORT_SECRET_PREFIX + randomBase62(43);
    const expiresAt = new Date(now().getTime() + EXPORT_LINK_TTL_MS);
    await deps.prisma.exportDownload.create({
      data: {
        id: newId('exportDownload'),
        secretHash: hashSecret(secret),
        spaceId: scope.spaceId,
        datasheetId,
        viewId: plan.viewId ?? null,
        format: plan.format,
        userId: scope.userId,
        datasheetIds: [...(scope.datasheetIds ?? [])],
        expiresAt,
      },
    });
    return { url: deps.downloadUrl(secret), expiresAt };
  }

  /** Claims a download secret (at most once, before it expires) and plans its export; refused otherwise. */
  async function claimDownload(secret: string): Promise<ExportPlan> {
    const invalid = () => new DomainError('DOWNLOAD_LINK_INVALID', DOWNLOAD_LINK_INVALID);
    if (!secret.startsWith(EXPORT_SECRET_PREFIX)) throw invalid();
    const at = now();
    const claimed = await deps.prisma.exportDownload.updateManyAndReturn({
      where: { secretHash: hashSecret(secret), usedAt: null, expiresAt: { gt: at } },
      data: { usedAt: at },
    });
    const row = claimed[0];
    if (!row) throw invalid();
    const scope: Scope = { spaceId: row.spaceId, userId: row.userId, datasheetIds: row.datasheetIds };
    return prepare(scope, row.datasheetId, { viewId: row.viewId, format: row.format }).catch((error: unknown) => {
      throw error instanceof DomainError ? invalid() : error;
    });
  }

  return { prepare, write, createDownload, claimDownload };
}

export type ExportService = ReturnType<typeof createExportService>;
