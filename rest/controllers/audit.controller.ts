import { Controller, Get, Path, Query, Route, Security, Tags } from '@tsoa/runtime';
import { success, type SuccessEnvelope } from '../envelope.js';
import type { RequestContext } from '../ioc.js';
import type { AuditEventListVo } from '../models/audit.vo.js';

@Route('v1/spaces/{spaceId}/audit-events')
@Tags('Audit')
export class AuditController extends Controller {
  constructor(private readonly ctx: RequestContext) {
    super();
  }

  /** The space's audit log, newest first (our extension). */
  @Get()
  @Security('bearer', ['audit:read'])
  public async listAuditEvents(
    @Path() spaceId: string,
    @Query() limit?: number,
    @Query() before?: string,
    @Query() action?: string,
  ): Promise<SuccessEnvelope<AuditEventListVo>> {
    const page = await this.ctx.services.audit.list(spaceId, { limit, before, ...(action ? { action } : {}) });
    return success({
      events: page.events.map((e) => ({
        id: e.id,
        action: e.action,
        targetType: e.targetType,
        targetId: e.targetId,
        actorId: e.actorId,
        tokenId: e.tokenId,
        requestId: e.requestId,
        detail: e.detail,
        at: e.at.getTime(),
      })),
      nextCursor: page.nextCursor,
    });
  }
}
