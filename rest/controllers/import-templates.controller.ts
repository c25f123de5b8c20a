import { Body, Controller, Delete, Get, Patch, Path, Post, Query, Route, Security, Tags } from '@tsoa/runtime';
import { success, type SuccessEnvelope } from '../envelope.js';
import type { RequestContext } from '../ioc.js';
import {
  templateVo,
  type ImportTemplateListVo,
  type ImportTemplatePatchRo,
  type ImportTemplateRo,
  type ImportTemplateVo,
} from '../models/import.vo.js';
import { intParam } from '../parse/record-query.js';

@Route('v1/spaces/{spaceId}/import-templates')
@Tags('Imports')
export class ImportTemplatesController extends Controller {
  constructor(private readonly ctx: RequestContext) {
    super();
  }

  /** Extension: the space's import templates, oldest first (`pageNum`, `pageSize` 1–100, default 20). */
  @Get()
  @Security('bearer', ['datasheets:read'])
  public async listImportTemplates(
    @Path('spaceId') _spaceId: string,
    @Query() pageNum?: string,
    @Query() pageSize?: string,
  ): Promise<SuccessEnvelope<ImportTemplateListVo>> {
    const num = intParam(pageNum, 'pageNum', 'pageNum must be a positive integer') ?? 1;
    const size = intParam(pageSize, 'pageSize', 'pageSize must be an integer from 1 to 100') ?? 20;
    const scope = this.ctx.access.scope;
    const { templates, total } = await this.ctx.services.importTemplates.list(scope, num, size);
    return success({ templates: templates.map(templateVo), total, pageNum: num, pageSize: size });
  }

  /** Extension: creates an import template (columns: target field, type, required, unique, regex, allowed values, min/max, date format, suggested headers). */
  @Post()
  @Security('bearer', ['datasheets:write'])
  public async createImportTemplate(
    @Path('spaceId') _spaceId: string,
    @Body() body: ImportTemplateRo,
  ): Promise<SuccessEnvelope<ImportTemplateVo>> {
    const scope = this.ctx.access.scope;
    return success(templateVo(await this.ctx.services.importTemplates.create(scope, body)));
  }

  @Get('{templateId}')
  @Security('bearer', ['datasheets:read'])
  public async getImportTemplate(
    @Path('spaceId') _spaceId: string,
    @Path() templateId: string,
  ): Promise<SuccessEnvelope<ImportTemplateVo>> {
    const scope = this.ctx.access.scope;
    return success(templateVo(await this.ctx.services.importTemplates.get(scope, templateId)));
  }

  /** Extension: changes the keys given (columns as a whole). */
  @Patch('{templateId}')
  @Security('bearer', ['datasheets:write'])
  public async updateImportTemplate(
    @Path('spaceId') _spaceId: string,
    @Path() templateId: string,
    @Body() body: ImportTemplatePatchRo,
  ): Promise<SuccessEnvelope<ImportTemplateVo>> {
    const scope = this.ctx.access.scope;
    return success(templateVo(await this.ctx.services.importTemplates.update(scope, templateId, body)));
  }

  /** Extension: deletes the template; imports made with it keep their reports. */
  @Delete('{templateId}')
  @Security('bearer', ['datasheets:write'])
  public async deleteImportTemplate(
    @Path('spaceId') _spaceId: string,
    @Path() templateId: string,
  ): Promise<SuccessEnvelope<{ id: string }>> {
    const scope = this.ctx.access.scope;
    return success(await this.ctx.services.importTemplates.delete(scope, templateId));
  }
}
