import { Controller, Get, Route, Security, Tags } from '@tsoa/runtime';
import { success, type SuccessEnvelope } from '../envelope.js';
import type { RequestContext } from '../ioc.js';
import type { MeVo } from '../models/me.vo.js';

@Route('v1/me')
@Tags('Identity')
export class MeController extends Controller {
  constructor(private readonly ctx: RequestContext) {
    super();
  }

  /** The calling token: its user, space and role, scopes and datasheet restriction. */
  @Get()
  @Security('bearer', ['spaces:read'])
  public async getMe(): Promise<SuccessEnvelope<MeVo>> {
    const me = await this.ctx.services.tokens.identity(this.ctx.access.actor);
    return success({
      ...me,
      token: { ...me.token, expiresAt: me.token.expiresAt?.getTime() ?? null, createdAt: me.token.createdAt.getTime() },
    });
  }
}
