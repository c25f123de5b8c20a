import { createHmac, timingSafeEqual } from 'node:crypto';
import { randomBase62 } from '../ids.js';

export const SIGNATURE_HEADER = 'X-Tablebase-Signature';
export const DELIVERY_HEADER = 'X-Tablebase-Delivery';
export const EVENT_HEADER = 'X-Tablebase-Event';
export const WEBHOOK_HEADER = 'X-Tablebase-Webhook';

/** A new signing secret: `whsec_` and 32 base62 characters (about 190 bits). */
export const newWebhookSecret = () => `whsec_${randomBase62(32)}`;

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed by the secret>`. A receiver recomputes v1 over the
 * exact body bytes it got and the t it got, compares in constant time, and refuses a t too far from its clock.
 */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** The receiver's side of signatureHeader (also used by the tests): true when the header signs `body`. */
export function verifySignature(secret: string, body: string, header: string | undefined, toleranceSeconds = 300) {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.split('=') as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(Date.now() / 1000 - t) > toleranceSeconds) return false;
  const expected = Buffer.from(signatureHeader(secret, body, t).split('v1=')[1]!, 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
