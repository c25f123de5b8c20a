import type { Request as ExpressRequest } from 'express';
import { Body, Controller, Delete, Get, Patch, Path, Post, Put, Request, Route, Security, Tags } from '@tsoa/runtime';
import { invalidArgument } from '../../src/domain/errors.js';
import { deleted, success, type DeleteEnvelope, type SuccessEnvelope } from '../envelope.js';
import type { RequestContext } from '../ioc.js';
import { listParam, queryEntries } from '../parse/query-arrays.js';
import { fieldKeyOf, parseRecordQuery } from '../parse/record-query.js';
import type { RecordCreateRo, RecordUpdateRo } from '../models/record.ro.js';
import type { RecordListVo, RecordPageVo } from '../models/record.vo.js';
import type { RecordPage, RecordQuery } from '../../src/domain/records/query-records.js';
import type { RecordCursorPageVo, RecordUpsertVo } from '../models/extension.vo.js';
import { renamingParameters } from '../parse/rename-parameter.js';
import { streamAllRecords } from '../record-stream.js';

/** The Fusion API's records per create/update/delete request (the reference's API_MAX_MODIFY_RECORD_COUNTS). */
const RECORDS_PER_REQUEST = 10;

/** Refuses a create/update/delete of more records than one Fusion request takes, in the reference's text (literal `$` and double space included, §3). */
export function checkRecordsPerRequest(records: readonly unknown[], parameter: string): void {
  if (records.length > RECORDS_PER_REQUEST) {
    throw invalidArgument(
      `Can't update/delete/create more than $${RECORDS_PER_REQUEST}  records in one single request`,
      { parameter },
    );
  }
}

/**
 * GET records, shared by v1 and v3: every query encoding of parseRecordQuery, the v1 page shape. With pageSize=-1
 * the answer is streamed to the response (record-stream.ts) and this resolves to nothing: tsoa sends nothing more
 * once the response has started.
 */
export async function recordPage(
  ctx: RequestContext,
  datasheetId: string,
  request: ExpressRequest,
): Promise<SuccessEnvelope<RecordPageVo | RecordCursorPageVo>> {
  const { unlimited, ...query } = parseRecordQuery(request);
  if (query.after !== undefined) return success(await cursorPage(ctx, datasheetId, query));
  if (unlimited) {
    await streamAllRecords(ctx, datasheetId, query, request);
    return undefined as unknown as SuccessEnvelope<RecordPageVo>;
  }
  return success(pageVo(await ctx.services.records.query(ctx.access.scope, datasheetId, query)));
}

/** Extension: a keyset page after `cursor` (the domain's `after`), answering the next page's cursor. */
async function cursorPage(ctx: RequestContext, datasheetId: string, query: RecordQuery): Promise<RecordCursorPageVo> {
  const page = await renamingParameters([[/\bafter\b/, 'cursor']], () =>
    ctx.services.records.query(ctx.access.scope, datasheetId, query),
  );
  return {
    total: page.total ?? page.records.length,
    records: page.records,
    pageSize: page.records.length,
    nextCursor: page.nextCursor ?? null,
  };
}

/** A record page as the Fusion API answers it: `pageSize` is the number of records returned (the reference's meaning). */
export function pageVo(page: RecordPage): RecordPageVo {
  return {
    total: page.total ?? page.records.length,
    records: page.records,
    pageNum: page.pageNum ?? 1,
    pageSize: page.records.length,
  };
}

@Route('v1/datasheets/{datasheetId}/records')
@Tags('Records')
export class RecordsController extends Controller {
  constructor(private readonly ctx: RequestContext) {
    super();
  }

  /**
   * Records of a datasheet: `viewId`, `sort`, `filterByFormula`, `recordIds`, `fields`, `maxRecords`,
   * `pageNum`/`pageSize` (1–1000, default 100), `cellFormat` (json|string), `fieldKey` (name|id).
   * Extension: `cursor` pages by keyset instead of `pageNum` (not both): `cursor=` (empty) starts, and each page
   * answers `nextCursor` (null on the last) to pass as `cursor` for the next one, with the same other parameters.
   */
  @Get()
  @Security('bearer', ['records:read'])
  public async getRecords(
    @Path() datasheetId: string,
    @Request() request: ExpressRequest,
  ): Promise<SuccessEnvelope<RecordPageVo | RecordCursorPageVo>> {
    return recordPage(this.ctx, datasheetId, request);
  }

  /**
   * Creates up to 10 records; values are validated per field type, unknown keys ignored.
   * Extension: with `fieldsToMergeOn` (field names, or ids with fieldKey=id), an upsert as Airtable's
   * performUpsert: each record updates the one existing record whose merge fields hold its values, or is created;
   * the answer adds `createdRecords` and `updatedRecords` (ids, in input order).
   */
  @Post()
  @Security('bearer', ['records:write'])
  public async createRecords(
    @Path() datasheetId: string,
    @Body() body: RecordCreateRo,
  ): Promise<SuccessEnvelope<RecordListVo | RecordUpsertVo>> {
    const fieldKey = fieldKeyOf(body.fieldKey);
    const scope = this.ctx.access.scope;
    checkRecordsPerRequest(body.records, 'records');
    if (body.fieldsToMergeOn !== undefined) {
      const inputs = body.records.map((r) => ({ fields: r.fields }));
      const result = await this.ctx.services.records.upsert(scope, datasheetId, inputs, body.fieldsToMergeOn, {
        fieldKey,
      });
      return success({ records: result.records, createdRecords: result.created, updatedRecords: result.updated });
    }
    const records = await this.ctx.services.records.createRendered(
      scope,
      datasheetId,
      body.records.map((r) => r.fields),
      { fieldKey },
    );
    return success({ records });
  }

  /** Partial updates of up to 10 records (`null` clears a cell). */
  @Patch()
  @Security('bearer', ['records:write'])
  public async updateRecords(
    @Path() datasheetId: string,
    @Body() body: RecordUpdateRo,
  ): Promise<SuccessEnvelope<RecordListVo>> {
    const fieldKey = fieldKeyOf(body.fieldKey);
    const scope = this.ctx.access.scope;
    checkRecordsPerRequest(body.records, 'records');
    const records = await this.ctx.services.records.updateRendered(scope, datasheetId, body.records, { fieldKey });
    return success({ records });
  }

  /** The same as PATCH (the reference's PUT is a partial update too). */
  @Put()
  @Security('bearer', ['records:write'])
  public async updateRecordsByPut(
    @Path() datasheetId: string,
    @Body() body: RecordUpdateRo,
  ): Promise<SuccessEnvelope<RecordListVo>> {
    return this.updateRecords(datasheetId, body);
  }

  /** Deletes up to 10 records: `recordIds=a,b`, repeated, or `recordIds[]=`. The success envelope has no data. */
  @Delete()
  @Security('bearer', ['records:write'])
  public async deleteRecords(@Path() datasheetId: string, @Request() request: ExpressRequest): Promise<DeleteEnvelope> {
    const ids = listParam(queryEntries(request.originalUrl), 'recordIds') ?? [];
    checkRecordsPerRequest(ids, 'recordIds');
    await this.ctx.services.records.delete(this.ctx.access.scope, datasheetId, ids);
    return deleted();
  }
}
