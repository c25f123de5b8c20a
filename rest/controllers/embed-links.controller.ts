import { Body, Controller, Delete, Get, Path, Post, Route, Security, Tags } from '@tsoa/runtime';
import { deleted, success, type DeleteEnvelope, type SuccessEnvelope } from '../envelope.js';
import type { ActingAs } from '../../src/domain/tokens/token.service.js';
import type { RequestContext } from '../ioc.js';
import type { EmbedLinkCreateRo, EmbedLinkVo } from '../models/embed.vo.js';

@Route('v1/spaces/{spaceId}/nodes/{nodeId}/embedlinks')
@Tags('Embed links')
export class EmbedLinksController extends Controller {
  constructor(private readonly ctx: RequestContext) {
    super();
  }

  /**
   * Publishes a datasheet read-only at the answer's `url`, which anyone holding it can open without a token
   * (the datasheet, the payload's view and its records). At most 30 links per datasheet; datasheets only.
   */
  @Post()
  @Security('bearer', ['datasheets:write'])
  public async createEmbedLink(
    @Path('spaceId') _spaceId: string,
    @Path() nodeId: string,
    @Body() body?: EmbedLinkCreateRo,
  ): Promise<SuccessEnvelope<EmbedLinkVo>> {
    return success(
      await this.ctx.services.embeds.create(
        this.ctx.access.scope,
        nodeId,
        { payload: body?.payload, theme: body?.theme },
        this.actingAs(),
      ),
    );
  }

  /** The node's embed links, oldest first (they are capabilities, so listing them takes the same scope as making them). */
  @Get()
  @Security('bearer', ['datasheets:write'])
  public async listEmbedLinks(
    @Path('spaceId') _spaceId: string,
    @Path() nodeId: string,
  ): Promise<SuccessEnvelope<EmbedLinkVo[]>> {
    return success(await this.ctx.services.embeds.list(this.ctx.access.scope, nodeId));
  }

  /** Deletes a link: its URL stops answering at once. An unknown or deleted link answers code 1501. */
  @Delete('{linkId}')
  @Security('bearer', ['datasheets:write'])
  public async deleteEmbedLink(
    @Path('spaceId') _spaceId: string,
    @Path() nodeId: string,
    @Path() linkId: string,
  ): Promise<DeleteEnvelope> {
    await this.ctx.services.embeds.remove(this.ctx.access.scope, nodeId, linkId, this.actingAs());
    return deleted();
  }

  /** Who the audit log names for a change made through this request. */
  private actingAs(): ActingAs {
    const { access, requestId } = this.ctx;
    return { userId: access.actor.userId, tokenId: access.actor.tokenId, requestId };
  }
}
