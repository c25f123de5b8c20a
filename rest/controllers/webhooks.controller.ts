import { Body, Controller, Delete, Get, Patch, Path, Post, Query, Request, Route, Security, Tags } from '@tsoa/runtime';
import type { Request as ExpressRequest } from 'express';
import { deleted, success, type DeleteEnvelope, type SuccessEnvelope } from '../envelope.js';
import type { ActingAs } from '../../src/domain/tokens/token.service.js';
import type { RequestContext } from '../ioc.js';
import { storeForReplay } from '../middleware/idempotency.js';
import type { CreatedWebhookVo, WebhookDeliveryPageVo, WebhookVo, WebhookWriteRo } from '../models/webhook.vo.js';

/** A datasheet's webhooks: its changes POSTed, signed, to a URL (admins; scope webhooks:manage). */
@Route('v1/datasheets/{datasheetId}/webhooks')
@Tags('Webhooks')
export class WebhooksController extends Controller {
  constructor(private readonly ctx: RequestContext) {
    super();
  }

  /**
   * Makes a webhook. The answer's `secret` signs every delivery and is never shown again: a replay of the same
   * `Idempotency-Key` answers the webhook with `secret: null` (the secret is not stored in clear).
   */
  @Post()
  @Security('bearer', ['webhooks:manage'])
  public async createWebhook(
    @Request() request: ExpressRequest,
    @Path() datasheetId: string,
    @Body() body?: WebhookWriteRo,
  ): Promise<SuccessEnvelope<CreatedWebhookVo>> {
    const { webhook, secret } = await this.ctx.services.webhooks.create(
      this.ctx.access.scope,
      datasheetId,
      body ?? {},
      this.actingAs(),
    );
    storeForReplay(request, success({ ...webhook, secret: null }));
    return success({ ...webhook, secret });
  }

  /** The datasheet's webhooks, oldest first (without their secrets). */
  @Get()
  @Security('bearer', ['webhooks:manage'])
  public async listWebhooks(@Path() datasheetId: string): Promise<SuccessEnvelope<{ webhooks: WebhookVo[] }>> {
    return success({ webhooks: await this.ctx.services.webhooks.list(this.ctx.access.scope, datasheetId) });
  }

  @Get('{webhookId}')
  @Security('bearer', ['webhooks:manage'])
  public async getWebhook(@Path() datasheetId: string, @Path() webhookId: string): Promise<SuccessEnvelope<WebhookVo>> {
    return success(await this.ctx.services.webhooks.get(this.ctx.access.scope, datasheetId, webhookId));
  }

  /** Changes the given properties; `enabled: true` re-enables a webhook the server disabled. */
  @Patch('{webhookId}')
  @Security('bearer', ['webhooks:manage'])
  public async updateWebhook(
    @Path() datasheetId: string,
    @Path() webhookId: string,
    @Body() body?: WebhookWriteRo,
  ): Promise<SuccessEnvelope<WebhookVo>> {
    return success(
      await this.ctx.services.webhooks.update(
        this.ctx.access.scope,
        datasheetId,
        webhookId,
        body ?? {},
        this.actingAs(),
      ),
    );
  }

  /** Deletes a webhook and its delivery log; its pending deliveries are not sent. */
  @Delete('{webhookId}')
  @Security('bearer', ['webhooks:manage'])
  public async deleteWebhook(@Path() datasheetId: string, @Path() webhookId: string): Promise<DeleteEnvelope> {
    await this.ctx.services.webhooks.remove(this.ctx.access.scope, datasheetId, webhookId, this.actingAs());
    return deleted();
  }

  /** The delivery log, newest first: status, attempts, last error and response status of each delivery. */
  @Get('{webhookId}/deliveries')
  @Security('bearer', ['webhooks:manage'])
  public async listWebhookDeliveries(
    @Path() datasheetId: string,
    @Path() webhookId: string,
    @Query() pageSize?: number,
    @Query() cursor?: string,
  ): Promise<SuccessEnvelope<WebhookDeliveryPageVo>> {
    return success(
      await this.ctx.services.webhooks.deliveries(this.ctx.access.scope, datasheetId, webhookId, {
        limit: pageSize ?? 50,
        after: cursor ?? null,
        names: { limit: 'pageSize', after: 'cursor' },
      }),
    );
  }

  private actingAs(): ActingAs {
    const { access, requestId } = this.ctx;
    return { userId: access.actor.userId, tokenId: access.actor.tokenId, requestId };
  }
}
