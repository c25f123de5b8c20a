import { Controller, Get, Route, Security, Tags } from '@tsoa/runtime';
import { success, type SuccessEnvelope } from '../envelope.js';
import type { RequestContext } from '../ioc.js';
import type { SpaceListVo } from '../models/space.vo.js';

@Route('v1/spaces')
@Tags('Spaces')
export class SpacesController extends Controller {
  constructor(private readonly ctx: RequestContext) {
    super();
  }

  /** Spaces the token can act in. */
  @Get()
  @Security('bearer', ['spaces:read'])
  public async getSpaces(): Promise<SuccessEnvelope<SpaceListVo>> {
    const spaces = await this.ctx.services.spaces.listVisible(this.ctx.access.actor);
    return success({
      spaces: spaces.map((s) => ({ id: s.id, name: s.name, ...(s.isAdmin ? { isAdmin: true } : {}) })),
    });
  }
}
