import type { Request as ExpressRequest } from 'express';
import { Controller, Get, Path, Query, Request, Route, Security, Tags } from '@tsoa/runtime';
import type { RequestContext } from '../ioc.js';
import { streamEvents } from '../event-stream.js';

@Route('v1/datasheets/{datasheetId}/events')
@Tags('Events')
export class EventsController extends Controller {
  constructor(private readonly ctx: RequestContext) {
    super();
  }

  /**
   * The datasheet's changes as they commit, as Server-Sent Events (`text/event-stream`; our extension): each event's
   * `id:` is its sequence and its `data:` a JSON object `{kind, sequence, datasheetId, recordIds, changes: [{recordId,
   * fieldId, oldValue, newValue}], targetId?, author, at}`. Resume with the `Last-Event-ID` header (EventSource
   * sends it when it reconnects) or `after`, a sequence already seen: every later event follows, none skipped.
   * Comment lines are heartbeats. A revoked or expired token ends the stream with `event: error`.
   * @param after Resume after this sequence (ignored when Last-Event-ID is sent).
   */
  @Get()
  @Security('bearer', ['records:read'])
  public async streamDatasheetEvents(
    @Path() datasheetId: string,
    @Request() request: ExpressRequest,
    @Query() after?: string,
  ): Promise<void> {
    await streamEvents(this.ctx, datasheetId, after, request, this.ctx.services.live.heartbeatMs);
  }
}
