import type { Request as ExpressRequest, Response } from 'express';
import { Controller, Get, Path, Produces, Request, Route, Tags } from '@tsoa/runtime';
import type { RequestContext } from '../ioc.js';
import { sendExport } from '../export-stream.js';

@Route('v1/exports')
@Tags('Exports')
export class ExportDownloadsController extends Controller {
  constructor(private readonly ctx: RequestContext) {
    super();
  }

  /**
   * Extension, **no token**: the one-time download URL the GraphQL mutation `exportDatasheet` answers. Usable once,
   * for ten minutes; it streams the export it was made for. An unknown, used or expired URL answers HTTP 403.
   */
  @Get('{downloadToken}')
  @Produces('text/csv')
  @Produces('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @Produces('application/x-ndjson')
  public async downloadExport(@Path() downloadToken: string, @Request() request: ExpressRequest): Promise<void> {
    const { access, exports } = this.ctx.services;
    await access.meterAddress(request.socket.remoteAddress);
    const plan = await exports.claimDownload(downloadToken);
    await sendExport(exports, plan, request.res as Response);
  }
}
