import { Body, Controller, Delete, Path, Post, Route, Security, Tags } from '@tsoa/runtime';
import { success, type SuccessEnvelope } from '../envelope.js';
import type { RequestContext } from '../ioc.js';
import type { DatasheetCreateRo, FieldCreateRo, FieldDeleteRo } from '../models/datasheet.ro.js';
import type { DatasheetCreateVo, EmptyVo, FieldCreateVo } from '../models/datasheet.vo.js';

@Route('v1/spaces/{spaceId}/datasheets')
@Tags('Datasheets')
export class DatasheetsController extends Controller {
  constructor(private readonly ctx: RequestContext) {
    super();
  }

  /** Creates a datasheet with its fields (the first is primary) and a default Grid view. */
  @Post()
  @Security('bearer', ['datasheets:write'])
  // The path's spaceId was checked against the token by the access gate; the domain scope carries it.
  public async createDatasheet(
    @Path('spaceId') _spaceId: string,
    @Body() body: DatasheetCreateRo,
  ): Promise<SuccessEnvelope<DatasheetCreateVo>> {
    const created = await this.ctx.services.datasheets.create(this.ctx.access.scope, body);
    return success({
      id: created.id,
      createdAt: created.createdAt.getTime(),
      fields: created.fields.map((f) => ({ id: f.id, name: f.name })),
    });
  }

  @Post('{datasheetId}/fields')
  @Security('bearer', ['datasheets:write'])
  public async createField(
    @Path('spaceId') _spaceId: string,
    @Path() datasheetId: string,
    @Body() body: FieldCreateRo,
  ): Promise<SuccessEnvelope<FieldCreateVo>> {
    const field = await this.ctx.services.fields.add(this.ctx.access.scope, datasheetId, body);
    return success({ id: field.id, name: field.name });
  }

  @Delete('{datasheetId}/fields/{fieldId}')
  @Security('bearer', ['datasheets:write'])
  public async deleteField(
    @Path('spaceId') _spaceId: string,
    @Path() datasheetId: string,
    @Path() fieldId: string,
    @Body() body?: FieldDeleteRo,
  ): Promise<SuccessEnvelope<EmptyVo>> {
    await this.ctx.services.fields.remove(this.ctx.access.scope, datasheetId, fieldId, {
      conversion: body?.conversion,
    });
    return success({});
  }
}
