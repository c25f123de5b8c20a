import { Controller, Get, Path, Query, Route, Security, Tags } from '@tsoa/runtime';
import { actorMay } from '../../src/domain/access/permissions.js';
import { listFieldsForApi } from '../../src/domain/schema/field-api.js';
import { success, type SuccessEnvelope } from '../envelope.js';
import type { RequestContext } from '../ioc.js';
import type { FieldListVo, ViewListVo } from '../models/record.vo.js';

@Route('v1/datasheets/{datasheetId}')
@Tags('Datasheets')
export class DatasheetMetaController extends Controller {
  constructor(private readonly ctx: RequestContext) {
    super();
  }

  /** Fields in the first view's column order, or a view's visible columns. */
  @Get('fields')
  @Security('bearer', ['datasheets:read'])
  public async getFields(@Path() datasheetId: string, @Query() viewId?: string): Promise<SuccessEnvelope<FieldListVo>> {
    const datasheets = this.ctx.services.datasheets;
    const schema = await datasheets.get(this.ctx.access.scope, datasheetId);
    const canWrite = actorMay(this.ctx.access.actor, 'records:write');
    const lookups = await datasheets.lookupTargets(schema, this.ctx.access.scope);
    return success({ fields: listFieldsForApi(schema, { viewId: viewId || undefined, canWrite, lookups }) });
  }

  @Get('views')
  @Security('bearer', ['datasheets:read'])
  public async getViews(@Path() datasheetId: string): Promise<SuccessEnvelope<ViewListVo>> {
    const schema = await this.ctx.services.datasheets.get(this.ctx.access.scope, datasheetId);
    return success({ views: schema.views.map((v) => ({ id: v.id, name: v.name, type: v.type })) });
  }
}
