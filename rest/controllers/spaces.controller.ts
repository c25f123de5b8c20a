import { Controller, Get, Route, Security, Tags } from '@tsoa/runtime';
import type { Actor } from '../../src/domain/context.js';
import type { Services } from '../../src/services.js';
import { success, type SuccessEnvelope } from '../envelope.js';
import type { SpaceListVo } from '../models/space.vo.js';

@Route('v1/spaces')
@Tags('Spaces')
@Security('bearer')
export class SpacesController extends Controller {
  constructor(
    private readonly services: Services,
    private readonly actor: Actor,
  ) {
    super();
  }

  /** Spaces the token can act in. */
  @Get()
  public async getSpaces(): Promise<SuccessEnvelope<SpaceListVo>> {
    const spaces = await this.services.spaces.listVisible(this.actor);
    return success({
      spaces: spaces.map((s) => ({ id: s.id, name: s.name, ...(s.isAdmin ? { isAdmin: true } : {}) })),
    });
  }
}
