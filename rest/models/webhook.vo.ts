import type { WebhookDeliveryVo, WebhookInput, WebhookVo } from '../../src/domain/webhooks/webhook.service.js';

// Webhooks (our extension of the Fusion API): the domain's own shapes. Request values are typed loosely on
// purpose: the domain checks them and answers code 400 naming the parameter.
export type { WebhookDeliveryVo, WebhookVo };
export type WebhookWriteRo = WebhookInput;

export interface CreatedWebhookVo extends WebhookVo {
  /**
   * Signs every delivery (X-Tablebase-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">); shown only now.
   * Null in a replay of an Idempotency-Key: the secret is never stored in clear.
   */
  secret: string | null;
}

export interface WebhookDeliveryPageVo {
  deliveries: WebhookDeliveryVo[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}
