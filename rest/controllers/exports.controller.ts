import type { Request as ExpressRequest, Response } from 'express';
import { Controller, Get, Path, Produces, Query, Request, Route, Security, Tags } from '@tsoa/runtime';
import type { RequestContext } from '../ioc.js';
import { sendExport } from '../export-stream.js';

@Route('v1/datasheets/{datasheetId}/export')
@Tags('Exports')
export class ExportsController extends Controller {
  constructor(private readonly ctx: RequestContext) {
    super();
  }

  /**
   * Extension: the datasheet (or, with `viewId`, the view: its filter, sorts, hidden fields and column order) as a
   * file: `format` csv (default), xlsx or jsonl. CSV and XLSX cells are in `cellFormat=string` form under a header
   * row of field names (CSV text that a spreadsheet would run as a formula gets a leading `'`); JSONL has one
   * `{recordId, fields}` object per line, cells as JSON. Streamed: no row cap, and the file is sent as it is read.
   */
  @Get()
  @Security('bearer', ['records:read'])
  @Produces('text/csv')
  @Produces('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @Produces('application/x-ndjson')
  public async exportDatasheet(
    @Path() datasheetId: string,
    @Request() request: ExpressRequest,
    @Query() format?: string,
    @Query() viewId?: string,
  ): Promise<void> {
    const { exports } = this.ctx.services;
    const plan = await exports.prepare(this.ctx.access.scope, datasheetId, { format, viewId });
    await sendExport(exports, plan, request.res as Response);
  }
}
