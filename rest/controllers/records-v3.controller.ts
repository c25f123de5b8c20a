import type { Request as ExpressRequest } from 'express';
import { Controller, Get, Path, Request, Route, Security, Tags } from '@tsoa/runtime';
import type { SuccessEnvelope } from '../envelope.js';
import type { RequestContext } from '../ioc.js';
import type { RecordPageVo } from '../models/record.vo.js';
import type { RecordCursorPageVo } from '../models/extension.vo.js';
import { recordPage } from './records.controller.js';

@Route('v3/datasheets/{datasheetId}/records')
@Tags('Records')
export class RecordsV3Controller extends Controller {
  constructor(private readonly ctx: RequestContext) {
    super();
  }

  /**
   * Records through the v3 path (the Python and Java clients' `isV3`, the JS SDK 2.0 beta). AITable documents
   * only that v3 "supports get records" and not its answer, so this is v1's GET records exactly: the same
   * parameters in every encoding (our `cursor` extension too), the same limits and errors, and v1's answer
   * `{total, records, pageNum, pageSize}`.
   */
  @Get()
  @Security('bearer', ['records:read'])
  public async getRecordsV3(
    @Path() datasheetId: string,
    @Request() request: ExpressRequest,
  ): Promise<SuccessEnvelope<RecordPageVo | RecordCursorPageVo>> {
    return recordPage(this.ctx, datasheetId, request);
  }
}
