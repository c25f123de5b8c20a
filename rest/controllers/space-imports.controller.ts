import type { Request as ExpressRequest } from 'express';
import { Body, Controller, Path, Post, Request, Route, Security, Tags } from '@tsoa/runtime';
import { success, type SuccessEnvelope } from '../envelope.js';
import type { RequestContext } from '../ioc.js';
import { jobVo, type ImportJobVo, type ImportRo } from '../models/import.vo.js';
import { startImport } from '../parse/import-request.js';

@Route('v1/spaces/{spaceId}/imports')
@Tags('Imports')
export class SpaceImportsController extends Controller {
  constructor(private readonly ctx: RequestContext) {
    super();
  }

  /**
   * Extension: imports a file into a new datasheet made from an import template (`templateId` required; its columns
   * become the fields; `datasheetName` defaults to the template's name). Same body as the datasheet import. A file
   * that cannot be read at all leaves no datasheet behind.
   */
  @Post()
  @Security('bearer', ['datasheets:write'])
  public async startImportIntoNewDatasheet(
    @Path('spaceId') _spaceId: string,
    @Request() request: ExpressRequest,
    @Body() _body?: ImportRo,
  ): Promise<SuccessEnvelope<ImportJobVo>> {
    return success(jobVo(await startImport(this.ctx, request, undefined)));
  }
}
