import type { Request as ExpressRequest } from 'express';
import { DomainError } from '../../src/domain/errors.js';
import { Controller, Get, Path, Request, Route, Tags } from '@tsoa/runtime';
import { success, type SuccessEnvelope } from '../envelope.js';
import type { RequestContext } from '../ioc.js';
import type { EmbedDescriptionVo } from '../models/embed.vo.js';
import type { RecordPageVo } from '../models/record.vo.js';
import { queryEntries } from '../parse/query-arrays.js';
import { intParam } from '../parse/record-query.js';
import { pageVo } from './records.controller.js';

/**
 * The public side of embed links: no token, the link id is the credential. Read-only and small: what the
 * link shows, and its view's records page by page. A deleted link answers code 1501 at once.
 */
@Route('v1/embed/{linkId}')
@Tags('Embed links')
export class EmbedController extends Controller {
  constructor(private readonly ctx: RequestContext) {
    super();
  }

  /** The embedded datasheet (id, name), the view it opens on, that view's visible fields, and the link's theme and payload. */
  @Get()
  public async getEmbed(
    @Path() linkId: string,
    @Request() request: ExpressRequest,
  ): Promise<SuccessEnvelope<EmbedDescriptionVo>> {
    return success(await this.meteredWhenUnknown(request, this.ctx.services.embeds.describe(linkId)));
  }

  /** The link's view's records (its filter, sorts and visible fields), json cells keyed by name: `pageNum`, `pageSize` (1–1000, default 100). */
  @Get('records')
  public async getEmbedRecords(
    @Path() linkId: string,
    @Request() request: ExpressRequest,
  ): Promise<SuccessEnvelope<RecordPageVo>> {
    const entries = queryEntries(request.originalUrl);
    const single = (name: string) => entries.find(([key]) => key === name)?.[1];
    const page = {
      pageNum: intParam(single('pageNum'), 'pageNum'),
      pageSize: intParam(single('pageSize'), 'pageSize'),
    };
    return success(pageVo(await this.meteredWhenUnknown(request, this.ctx.services.embeds.records(linkId, page))));
  }

  /** An unknown (or deleted) link id counts against the client address, so link ids cannot be guessed quickly. */
  private async meteredWhenUnknown<T>(request: ExpressRequest, answer: Promise<T>): Promise<T> {
    try {
      return await answer;
    } catch (error) {
      if (error instanceof DomainError && error.reason === 'EMBED_LINK_NOT_FOUND')
        await this.ctx.services.access.meterAddress(request.socket.remoteAddress);
      throw error;
    }
  }
}
