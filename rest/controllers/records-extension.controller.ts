import { Body, Controller, Get, Path, Post, Query, Route, Security, Tags } from '@tsoa/runtime';
import type { HistoryEntry } from '../../src/domain/history/record-history.js';
import { success, type SuccessEnvelope } from '../envelope.js';
import type { RequestContext } from '../ioc.js';
import type { RecordBatchRo, RecordMoveRo } from '../models/extension.ro.js';
import type { RecordBatchVo, RecordChangeVo, RecordHistoryVo, RecordMoveVo } from '../models/extension.vo.js';
import { fieldKeyOf, intParam } from '../parse/record-query.js';
import { renamingParameters } from '../parse/rename-parameter.js';
import { checkRecordsPerRequest } from './records.controller.js';

/**
 * Extension: not in AITable's Fusion API. Record moves, a record's history and atomic batches of changes, in the
 * Fusion envelope and error codes.
 */
@Route('v1/datasheets/{datasheetId}/records')
@Tags('Extensions')
export class RecordsExtensionController extends Controller {
  constructor(private readonly ctx: RequestContext) {
    super();
  }

  /**
   * Extension: moves up to 10 records of this datasheet to another datasheet of the space, keeping their ids and
   * history. Cells follow the target field of the same name and type (`mapped`); the rest is reported in
   * `dropped`. The token needs records:write on both datasheets.
   */
  @Post('move')
  @Security('bearer', ['records:write'])
  public async moveRecords(
    @Path() datasheetId: string,
    @Body() body: RecordMoveRo,
  ): Promise<SuccessEnvelope<RecordMoveVo>> {
    checkRecordsPerRequest(body.recordIds, 'recordIds');
    const { access, records } = this.ctx.services;
    await access.check(this.ctx.access.actor, 'records:write', { datasheetId: body.toDatasheetId });
    return success(await records.move(this.ctx.access.scope, datasheetId, body.toDatasheetId, body.recordIds));
  }

  /**
   * Extension: a record's per-cell history, newest first: `pageSize` changes (1–1000, default 50; a creation or
   * deletion is one change of several cells), then `cursor` from the answer's `nextCursor` for older ones.
   */
  @Get('{recordId}/history')
  @Security('bearer', ['records:read'])
  public async getRecordHistory(
    @Path() datasheetId: string,
    @Path() recordId: string,
    @Query() pageSize?: string,
    @Query() cursor?: string,
  ): Promise<SuccessEnvelope<RecordHistoryVo>> {
    const limit = intParam(pageSize, 'pageSize', 'pageSize must be an integer from 1 to 1000');
    const page = await renamingParameters(
      [
        [/\blimit\b/, 'pageSize'],
        [/\bbefore\b/, 'cursor'],
      ],
      () =>
        this.ctx.services.records.historyIn(this.ctx.access.scope, datasheetId, recordId, {
          ...(limit !== undefined ? { limit } : {}),
          before: cursor || null,
        }),
    );
    return success({ changes: page.entries.map(changeVo), nextCursor: page.nextCursor });
  }

  /**
   * Extension: creates, updates and deletes records of this datasheet in one transaction, all or nothing (500
   * operations at most, deletions first). An update with `expectedRevision` fails the batch unless the record is
   * still at that revision. Errors name the operation (`creates[0].fields.Title`, `updates[1].recordId`, `deletes[2]`).
   */
  @Post('batch')
  @Security('bearer', ['records:write'])
  public async applyRecordChanges(
    @Path() datasheetId: string,
    @Body() body: RecordBatchRo,
  ): Promise<SuccessEnvelope<RecordBatchVo>> {
    const fieldKey = fieldKeyOf(body.fieldKey);
    const result = await renamingParameters([[/(updates\[\d+\])\.id\b/, '$1.recordId']], () =>
      this.ctx.services.records.apply(
        this.ctx.access.scope,
        datasheetId,
        {
          creates: body.creates,
          updates: body.updates?.map(({ recordId, ...u }) => ({ id: recordId, ...u })),
          deletes: body.deletes,
        },
        { fieldKey },
      ),
    );
    return success({ created: result.created, updated: result.updated, deleted: result.deleted });
  }
}

function changeVo(entry: HistoryEntry): RecordChangeVo {
  const { at, ...rest } = entry;
  return { ...rest, at: at.getTime() };
}
