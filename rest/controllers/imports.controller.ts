import type { Request as ExpressRequest, Response } from 'express';
import { Body, Controller, Get, Path, Post, Produces, Query, Request, Route, Security, Tags } from '@tsoa/runtime';
import { invalidArgument } from '../../src/domain/errors.js';
import { success, type SuccessEnvelope } from '../envelope.js';
import type { RequestContext } from '../ioc.js';
import { errorVo, jobVo, type ImportErrorPageVo, type ImportJobVo, type ImportRo } from '../models/import.vo.js';
import { startImport } from '../parse/import-request.js';
import { intParam } from '../parse/record-query.js';

@Route('v1/datasheets/{datasheetId}/imports')
@Tags('Imports')
export class ImportsController extends Controller {
  constructor(private readonly ctx: RequestContext) {
    super();
  }

  /**
   * Extension: imports a CSV or XLSX file into the datasheet, in the background. Send the file as multipart (fields
   * `templateId`, `mapping` — JSON `{header: fieldName}` — before the `file` part), or JSON `{attachmentToken,
   * templateId?, mapping?}` for a file uploaded as an attachment. Without a mapping, headers map to fields of the same
   * name (or a template column's suggested headers). Answers the job (status `queued`); poll it for progress.
   */
  @Post()
  @Security('bearer', ['records:write'])
  public async startImport(
    @Path('datasheetId') datasheetId: string,
    @Request() request: ExpressRequest,
    @Body() _body?: ImportRo,
  ): Promise<SuccessEnvelope<ImportJobVo>> {
    return success(jobVo(await startImport(this.ctx, request, datasheetId)));
  }

  /** Extension: an import's status and progress (rows read, written, rejected). */
  @Get('{importId}')
  @Security('bearer', ['records:read'])
  public async getImport(@Path() datasheetId: string, @Path() importId: string): Promise<SuccessEnvelope<ImportJobVo>> {
    return success(jobVo(await this.ctx.services.imports.get(this.ctx.access.scope, importId, datasheetId)));
  }

  /**
   * Extension: an import's error report (row number, column, value, reason), in file order: pages of `pageSize`
   * (1–1000, default 100) continued with `cursor`; or, with `format=csv`, the whole report as a CSV file.
   */
  @Get('{importId}/errors')
  @Security('bearer', ['records:read'])
  @Produces('application/json')
  @Produces('text/csv')
  public async getImportErrors(
    @Path() datasheetId: string,
    @Path() importId: string,
    @Request() request: ExpressRequest,
    @Query() pageSize?: string,
    @Query() cursor?: string,
    @Query() format?: string,
  ): Promise<SuccessEnvelope<ImportErrorPageVo>> {
    const { imports } = this.ctx.services;
    const scope = this.ctx.access.scope;
    if (format === 'csv') {
      await imports.get(scope, importId, datasheetId);
      const res = request.res as Response;
      res.status(200).type('text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="${importId}-errors.csv"`);
      for await (const chunk of imports.errorsCsv(scope, importId, datasheetId)) {
        if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
        if (res.destroyed) return undefined as never;
      }
      res.end();
      return undefined as never;
    }
    if (format !== undefined && format !== 'json')
      throw invalidArgument('format must be json or csv', { parameter: 'format' });
    const size = intParam(pageSize, 'pageSize', 'pageSize must be an integer from 1 to 1000');
    const page = await imports.errors(scope, importId, { datasheetId, pageSize: size, after: cursor ?? null });
    return success({ errors: page.errors.map(errorVo), nextCursor: page.nextCursor });
  }
}
