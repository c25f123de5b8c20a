import { Body, Controller, Delete, Get, Patch, Path, Route, Security, Tags } from '@tsoa/runtime';
import { invalidArgument } from '../../src/domain/errors.js';
import { listFieldsForApi } from '../../src/domain/schema/field-api.js';
import { actorMay } from '../../src/domain/access/permissions.js';
import { success, type SuccessEnvelope } from '../envelope.js';
import type { RequestContext } from '../ioc.js';
import type { DatasheetUpdateRo, FieldUpdateRo } from '../models/extension.ro.js';
import type { DatasheetDetailVo } from '../models/extension.vo.js';
import type { EmptyVo } from '../models/datasheet.vo.js';
import type { FieldListVo } from '../models/record.vo.js';

type FieldVo = FieldListVo['fields'][number];

/**
 * Extension: not in AITable's Fusion API. A datasheet's detail, rename, row cap and deletion, and field updates
 * (the seeds' table administration), in the Fusion envelope and error codes.
 */
@Route('v1/datasheets/{datasheetId}')
@Tags('Extensions')
export class DatasheetAdminController extends Controller {
  constructor(private readonly ctx: RequestContext) {
    super();
  }

  /** Extension: the datasheet's name, record count and row cap (its own, or the space's or plan's). */
  @Get()
  @Security('bearer', ['datasheets:read'])
  public async getDatasheet(@Path() datasheetId: string): Promise<SuccessEnvelope<DatasheetDetailVo>> {
    const detail = await this.ctx.services.datasheets.detail(this.ctx.access.scope, datasheetId);
    return success({ ...detail, createdAt: detail.createdAt.getTime(), updatedAt: detail.updatedAt.getTime() });
  }

  /**
   * Extension: renames the datasheet and/or sets its own row cap (`null`: inherit the space's or plan's). The
   * scope needs an admin; the cap is at most the space's.
   */
  @Patch()
  @Security('bearer', ['datasheets:write'])
  public async updateDatasheet(
    @Path() datasheetId: string,
    @Body() body: DatasheetUpdateRo,
  ): Promise<SuccessEnvelope<DatasheetDetailVo>> {
    await this.ctx.services.datasheets.update(this.ctx.access.scope, datasheetId, body);
    return this.getDatasheet(datasheetId);
  }

  /** Extension: deletes the datasheet with its fields, views, records and their history. */
  @Delete()
  @Security('bearer', ['datasheets:write'])
  public async deleteDatasheet(@Path() datasheetId: string): Promise<SuccessEnvelope<EmptyVo>> {
    await this.ctx.services.datasheets.remove(this.ctx.access.scope, datasheetId);
    return success({});
  }

  /**
   * Extension: renames a field, or changes its description or property (as GraphQL's updateField); a new `type`
   * converts the cells in the same transaction (each cell read through its old type, as AITable converts a column;
   * history and change events written), all or nothing. A pair that does not convert (computed types, links,
   * attachments) is refused naming `type` and the pair; so is a change that would break a view's filter, a formula or
   * a lookup's filter.
   */
  @Patch('fields/{fieldId}')
  @Security('bearer', ['datasheets:write'])
  public async updateField(
    @Path() datasheetId: string,
    @Path() fieldId: string,
    @Body() body: FieldUpdateRo,
  ): Promise<SuccessEnvelope<FieldVo>> {
    const { datasheets, fields } = this.ctx.services;
    const scope = this.ctx.access.scope;
    await fields.update(scope, datasheetId, fieldId, {
      name: body.name,
      type: body.type,
      property: body.property,
      description: body.description,
    });
    const schema = await datasheets.get(scope, datasheetId);
    const canWrite = actorMay(this.ctx.access.actor, 'records:write');
    const lookups = await datasheets.lookupTargets(schema, scope);
    const field = listFieldsForApi(schema, { canWrite, lookups }).find((f) => f.id === fieldId);
    if (!field) throw invalidArgument(`fieldId "${fieldId}" does not exist`, { parameter: 'fieldId' });
    return success(field);
  }
}
