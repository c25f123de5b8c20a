import path from 'node:path';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { DEFAULT_MAX_TEXT_CELL_LENGTH } from './domain/limits.js';
import { MAX_IMPORT_FILE_BYTES, MAX_IMPORT_UNCOMPRESSED_BYTES } from './domain/imports/import-limits.js';
import { DEFAULT_MAX_CONCURRENT_REQUESTS_PER_TOKEN } from './ratelimit/concurrency.js';
import { parseRateLimitSettings, type RateLimitSettings } from './ratelimit/settings.js';
import { parseWebhookSettings, type WebhookSettings } from './domain/webhooks/settings.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(86_400_000).default(15_000),
  DATABASE_POOL_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(10_000),
  TIME_ZONE: z
    .string()
    .refine((zone) => IANAZone.isValidZone(zone), 'must be an IANA time zone such as UTC or Europe/Berlin')
    .default('UTC'),
  MAX_TEXT_CELL_LENGTH: z.coerce.number().int().min(1).max(10_000_000).default(DEFAULT_MAX_TEXT_CELL_LENGTH),
  ATTACHMENT_SWEEP_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(604_800).default(3_600),
  ATTACHMENT_GRACE_SECONDS: z.coerce.number().int().min(0).max(31_536_000).default(86_400),
  /** Bytes of one file to import (upload or attachment). */
  IMPORT_MAX_FILE_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(2 ** 40)
    .default(MAX_IMPORT_FILE_BYTES),
  /** Bytes an XLSX file to import may expand to (its zip's entries together): past it the file is refused as a zip bomb. */
  IMPORT_MAX_UNCOMPRESSED_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(2 ** 40)
    .default(MAX_IMPORT_UNCOMPRESSED_BYTES),
  FEED_RETENTION_DAYS: z.coerce.number().min(0.0001).max(3650).default(7),
  FEED_LEASE_SECONDS: z.coerce.number().min(0).max(3600).default(30),
  FEED_POLL_SECONDS: z.coerce.number().min(0.05).max(86_400).default(1),
  FEED: z.enum(['on', 'off']).default('on'),
  SUBSCRIPTIONS_PER_TOKEN: z.coerce.number().int().min(1).max(1_000_000).default(100),
  SUBSCRIPTION_RECHECK_MS: z.coerce.number().int().min(50).max(3_600_000).default(10_000),
  EVENT_STREAM_HEARTBEAT_MS: z.coerce.number().int().min(50).max(3_600_000).default(15_000),
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(86_400_000).default(300_000),
  MAX_CONCURRENT_REQUESTS_PER_TOKEN: z.coerce
    .number()
    .int()
    .min(0)
    .max(100_000)
    .default(DEFAULT_MAX_CONCURRENT_REQUESTS_PER_TOKEN),
});

export type Config = {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  /** PostgreSQL: statement_timeout of every session, ms (0 = none). */
  statementTimeoutMs: number;
  /** PostgreSQL: longest wait for a pooled connection, ms (0 = forever). */
  poolTimeoutMs: number;
  redisUrl: string | undefined;
  logLevel: (typeof LOG_LEVELS)[number];
  /** Base URL clients use to reach this server; derived from HOST and PORT when not set. */
  publicUrl: string;
  /** Zone of date strings written without an offset (aitable-fusion-api.md §8.4) and of formatted dates. */
  timeZone: string;
  /** RATE_LIMIT, RATE_LIMIT_QPS, RATE_LIMIT_WINDOW_MS, GRAPHQL_COST_PER_REQUEST, API_MONTHLY_QUOTA. */
  rateLimit: RateLimitSettings;
  /** Characters of one text cell (and of every string inside a cell). */
  maxTextCellLength: number;
  /**
   * Unreferenced attachments (src/domain/attachments/sweeper.ts): how often the sweeper runs (0 = never) and how
   * long an attachment stays unreferenced before it is deleted, ms.
   */
  attachmentSweep: { intervalMs: number; graceMs: number };
  importMaxFileBytes: number;
  importMaxUncompressedBytes: number;
  feed: {
    /** FEED_RETENTION_DAYS: change feed events older than this are pruned (default 7). */
    retentionDays: number;
    /** FEED_LEASE_SECONDS: how long a crashed process keeps a durable consumer from other processes (default 30). */
    leaseSeconds: number;
    /**
     * FEED_POLL_SECONDS: PostgreSQL: how often the feed is read when a wake-up channel (LISTEN, Redis) is down (default
     * 1); 30 times less often while all are connected.
     */
    pollSeconds: number;
    /** FEED=off writes no change feed (only to measure what it costs; subscriptions, webhooks and audit need it). */
    enabled: boolean;
  };
  /** Live changes: open subscriptions per token (per process), token re-check period, SSE heartbeat period. */
  live: LiveSettings;
  /** WEBHOOK_ALLOW_HOSTS, WEBHOOK_ALLOW_PRIVATE, WEBHOOK_TIMEOUT_MS, retries and disabling (domain/webhooks/settings.ts). */
  webhooks: WebhookSettings;
  /** A connection that has not sent a request's whole header block within this is closed (slow clients, slowloris). */
  headersTimeoutMs: number;
  /** A request whose whole body has not arrived within this is answered 408 and its connection closed. */
  requestTimeoutMs: number;
  /** Requests one token may have in flight at once; past it a request answers 429 at once (0 = no cap). */
  maxConcurrentRequestsPerToken: number;
};

export interface LiveSettings {
  subscriptionsPerToken: number;
  recheckMs: number;
  heartbeatMs: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates the environment once. Empty strings count as unset, as shells often export them. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(
    Object.keys(configSchema.shape)
      .filter((key) => env[key] !== undefined && env[key] !== '')
      .map((key) => [key, env[key]]),
  );
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    throw new ConfigError(`Invalid configuration: ${variable} ${describeIssue(issue, present[variable])}`);
  }
  const c = parsed.data;
  let rateLimit: RateLimitSettings;
  let webhooks: WebhookSettings;
  try {
    rateLimit = parseRateLimitSettings(env as Record<string, string | undefined>);
    webhooks = parseWebhookSettings(env as Record<string, string | undefined>);
  } catch (error) {
    throw new ConfigError(`Invalid configuration: ${(error as Error).message}`);
  }
  const localHost = c.HOST === '0.0.0.0' || c.HOST === '::' ? 'localhost' : c.HOST;
  return {
    port: c.PORT,
    host: c.HOST,
    databaseUrl: c.DATABASE_URL,
    dataDir: path.resolve(c.DATA_DIR),
    statementTimeoutMs: c.DATABASE_STATEMENT_TIMEOUT_MS,
    poolTimeoutMs: c.DATABASE_POOL_TIMEOUT_MS,
    redisUrl: c.REDIS_URL,
    logLevel: c.LOG_LEVEL,
    publicUrl: (c.PUBLIC_URL ?? `http://${localHost}:${c.PORT}`).replace(/\/+$/, ''),
    timeZone: c.TIME_ZONE,
    rateLimit,
    maxTextCellLength: c.MAX_TEXT_CELL_LENGTH,
    attachmentSweep: {
      intervalMs: c.ATTACHMENT_SWEEP_INTERVAL_SECONDS * 1000,
      graceMs: c.ATTACHMENT_GRACE_SECONDS * 1000,
    },
    importMaxFileBytes: c.IMPORT_MAX_FILE_BYTES,
    importMaxUncompressedBytes: c.IMPORT_MAX_UNCOMPRESSED_BYTES,
    feed: {
      retentionDays: c.FEED_RETENTION_DAYS,
      leaseSeconds: c.FEED_LEASE_SECONDS,
      pollSeconds: c.FEED_POLL_SECONDS,
      enabled: c.FEED === 'on',
    },
    live: {
      subscriptionsPerToken: c.SUBSCRIPTIONS_PER_TOKEN,
      recheckMs: c.SUBSCRIPTION_RECHECK_MS,
      heartbeatMs: c.EVENT_STREAM_HEARTBEAT_MS,
    },
    webhooks,
    headersTimeoutMs: Math.min(c.HTTP_HEADERS_TIMEOUT_MS, c.HTTP_REQUEST_TIMEOUT_MS),
    requestTimeoutMs: c.HTTP_REQUEST_TIMEOUT_MS,
    maxConcurrentRequestsPerToken: c.MAX_CONCURRENT_REQUESTS_PER_TOKEN,
  };
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  const shown = typeof value === 'string' && !/URL/.test(String(issue.path[0])) ? ` (got "${value}")` : '';
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.join(', ')}${shown}`;
  if (issue.code === 'invalid_type') return `must be a number${shown}`;
  if (issue.code === 'too_small') return `must be at least ${String(issue.minimum)}${shown}`;
  if (issue.code === 'too_big') return `must be at most ${String(issue.maximum)}${shown}`;
  return `${issue.message}${shown}`;
}
