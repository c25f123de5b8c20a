import { isIP } from 'node:net';

/**
 * Webhook delivery settings, from the environment (read once by src/config.ts). Every value has a default; an
 * invalid one stops the server with a line naming the variable.
 */
export interface WebhookSettings {
  /** Hosts a webhook may target even when they resolve to private, loopback or link-local addresses: host names (exact), addresses, or CIDR ranges. */
  allowHosts: string[];
  /** Any private, loopback or link-local address is allowed (trusted networks only). */
  allowPrivate: boolean;
  /** How long one attempt may take (connect, send, answer headers and snippet). */
  timeoutMs: number;
  /** Attempts per delivery before it fails for good. */
  maxAttempts: number;
  /** Delay after the first failed attempt; it doubles after each further one, up to `backoffMaxMs`. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Deliveries that fail for good in a row before the webhook is disabled. */
  disableAfter: number;
  /** How often the worker looks for due deliveries (retries, deliveries made by other processes). */
  pollMs: number;
  /** Attempts in flight at once per process. */
  concurrency: number;
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = Object.freeze({
  allowHosts: [],
  allowPrivate: false,
  timeoutMs: 10_000,
  maxAttempts: 8,
  backoffBaseMs: 10_000,
  backoffMaxMs: 3_600_000,
  disableAfter: 5,
  pollMs: 1_000,
  concurrency: 8,
});

const NUMBERS = {
  WEBHOOK_TIMEOUT_MS: ['timeoutMs', 100, 300_000],
  WEBHOOK_MAX_ATTEMPTS: ['maxAttempts', 1, 100],
  WEBHOOK_BACKOFF_BASE_MS: ['backoffBaseMs', 1, 86_400_000],
  WEBHOOK_BACKOFF_MAX_MS: ['backoffMaxMs', 1, 604_800_000],
  WEBHOOK_DISABLE_AFTER: ['disableAfter', 1, 10_000],
  WEBHOOK_POLL_MS: ['pollMs', 10, 3_600_000],
  WEBHOOK_CONCURRENCY: ['concurrency', 1, 256],
} as const;

export const WEBHOOK_ENV_KEYS = ['WEBHOOK_ALLOW_HOSTS', 'WEBHOOK_ALLOW_PRIVATE', ...Object.keys(NUMBERS)];

/** Throws an Error whose message names the variable. */
export function parseWebhookSettings(env: Record<string, string | undefined>): WebhookSettings {
  const out: WebhookSettings = { ...DEFAULT_WEBHOOK_SETTINGS, allowHosts: [] };
  const hosts = env.WEBHOOK_ALLOW_HOSTS?.trim();
  if (hosts)
    out.allowHosts = hosts
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean);
  for (const entry of out.allowHosts) {
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address ?? '');
    const max = family === 6 ? 128 : 32;
    if (prefix !== undefined && (!family || rest.length > 0 || !/^\d{1,3}$/.test(prefix) || Number(prefix) > max))
      throw new Error(`WEBHOOK_ALLOW_HOSTS has an invalid range "${entry}" (write e.g. 10.0.0.0/8)`);
  }
  const priv = env.WEBHOOK_ALLOW_PRIVATE?.trim().toLowerCase();
  if (priv) {
    if (!['true', 'false', '1', '0', 'on', 'off'].includes(priv))
      throw new Error(`WEBHOOK_ALLOW_PRIVATE must be true or false (got "${priv}")`);
    out.allowPrivate = ['true', '1', 'on'].includes(priv);
  }
  for (const [name, [key, min, max]] of Object.entries(NUMBERS)) {
    const raw = env[name]?.trim();
    if (!raw) continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max)
      throw new Error(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
    out[key] = value;
  }
  return out;
}
