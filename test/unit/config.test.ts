import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('needs nothing: embedded database in ./data on port 3000', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      databaseUrl: undefined,
      dataDir: path.resolve('data'),
      redisUrl: undefined,
      logLevel: 'info',
      publicUrl: 'http://localhost:3000',
      timeZone: 'UTC',
      maxTextCellLength: 100_000,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 300_000,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgres://u@db:5432/app',
      DATA_DIR: '/var/lib/tables',
      REDIS_URL: 'redis://cache:6379',
      LOG_LEVEL: 'debug',
      PUBLIC_URL: 'https://tables.example.com/',
      TIME_ZONE: 'Asia/Shanghai',
      MAX_TEXT_CELL_LENGTH: '5000',
      IMPORT_MAX_FILE_BYTES: '1000000',
      IMPORT_MAX_UNCOMPRESSED_BYTES: '2000000',
      DATABASE_STATEMENT_TIMEOUT_MS: '30000',
      DATABASE_POOL_TIMEOUT_MS: '5000',
      ATTACHMENT_SWEEP_INTERVAL_SECONDS: '600',
      ATTACHMENT_GRACE_SECONDS: '7200',
      FEED_RETENTION_DAYS: '3',
      FEED_LEASE_SECONDS: '10',
      FEED_POLL_SECONDS: '5',
      FEED: 'off',
      SUBSCRIPTIONS_PER_TOKEN: '7',
      SUBSCRIPTION_RECHECK_MS: '2000',
      EVENT_STREAM_HEARTBEAT_MS: '3000',
      HTTP_HEADERS_TIMEOUT_MS: '2000',
      HTTP_REQUEST_TIMEOUT_MS: '60000',
      MAX_CONCURRENT_REQUESTS_PER_TOKEN: '8',
    });
    expect(config).toEqual({
      port: 8080,
      host: '127.0.0.1',
      databaseUrl: 'postgres://u@db:5432/app',
      dataDir: '/var/lib/tables',
      redisUrl: 'redis://cache:6379',
      logLevel: 'debug',
      publicUrl: 'https://tables.example.com',
      timeZone: 'Asia/Shanghai',
      rateLimit: expect.objectContaining({ enabled: true, windowMs: 1000 }),
      maxTextCellLength: 5000,
      importMaxFileBytes: 1_000_000,
      importMaxUncompressedBytes: 2_000_000,
      statementTimeoutMs: 30000,
      poolTimeoutMs: 5000,
      attachmentSweep: { intervalMs: 600_000, graceMs: 7_200_000 },
      feed: { retentionDays: 3, leaseSeconds: 10, pollSeconds: 5, enabled: false },
      live: { subscriptionsPerToken: 7, recheckMs: 2000, heartbeatMs: 3000 },
      webhooks: expect.objectContaining({ allowPrivate: false, allowHosts: [] }),
      headersTimeoutMs: 2000,
      requestTimeoutMs: 60000,
      maxConcurrentRequestsPerToken: 8,
    });
  });

  it('reads the webhook settings, naming a bad variable', () => {
    const config = loadConfig({
      WEBHOOK_ALLOW_HOSTS: '127.0.0.1, Hooks.Internal ,10.0.0.0/8',
      WEBHOOK_MAX_ATTEMPTS: '3',
    });
    expect(config.webhooks).toMatchObject({
      allowHosts: ['127.0.0.1', 'hooks.internal', '10.0.0.0/8'],
      maxAttempts: 3,
    });
    expect(() => loadConfig({ WEBHOOK_MAX_ATTEMPTS: '0' })).toThrow(
      /^Invalid configuration: WEBHOOK_MAX_ATTEMPTS must be an integer from 1 to 100 \(got "0"\)$/,
    );
    expect(() => loadConfig({ WEBHOOK_ALLOW_PRIVATE: 'maybe' })).toThrow(/WEBHOOK_ALLOW_PRIVATE must be true or false/);
    expect(() => loadConfig({ WEBHOOK_ALLOW_HOSTS: '10.0.0.0/99' })).toThrow(
      /WEBHOOK_ALLOW_HOSTS has an invalid range/,
    );
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' }).databaseUrl).toBeUndefined();
  });

  it.each([
    [{ PORT: 'abc' }, /^Invalid configuration: PORT must be a number \(got "abc"\)$/],
    [{ PORT: '70000' }, /^Invalid configuration: PORT must be at most 65535/],
    [{ ATTACHMENT_GRACE_SECONDS: '-1' }, /^Invalid configuration: ATTACHMENT_GRACE_SECONDS must be at least 0/],
    [
      { DATABASE_URL: 'mysql://x' },
      /^Invalid configuration: DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL$/,
    ],
    [{ REDIS_URL: 'localhost:6379' }, /^Invalid configuration: REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL$/],
    [
      { FEED_RETENTION_DAYS: 'forever' },
      /^Invalid configuration: FEED_RETENTION_DAYS must be a number \(got "forever"\)$/,
    ],
    [{ FEED: 'maybe' }, /^Invalid configuration: FEED must be one of on, off \(got "maybe"\)$/],
    [
      { LOG_LEVEL: 'loud' },
      /^Invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent \(got "loud"\)$/,
    ],
    [{ PUBLIC_URL: 'ftp://x' }, /^Invalid configuration: PUBLIC_URL must be an http\(s\) URL/],
    [{ RATE_LIMIT_QPS: 'lots' }, /^Invalid configuration: RATE_LIMIT_QPS must look like FREE=2,PLUS=5 \(got "lots"\)$/],
    [{ RATE_LIMIT: 'maybe' }, /^Invalid configuration: RATE_LIMIT must be "on" or "off" \(got "maybe"\)$/],
    [{ MAX_TEXT_CELL_LENGTH: '0' }, /^Invalid configuration: MAX_TEXT_CELL_LENGTH must be at least 1 \(got "0"\)$/],
    [{ MAX_TEXT_CELL_LENGTH: 'many' }, /^Invalid configuration: MAX_TEXT_CELL_LENGTH must be a number \(got "many"\)$/],
    [
      { TIME_ZONE: 'Mars/Olympus' },
      /^Invalid configuration: TIME_ZONE must be an IANA time zone such as UTC or Europe\/Berlin \(got "Mars\/Olympus"\)$/,
    ],
  ])('names the variable in one line: %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never echoes URL values, which may hold passwords', () => {
    try {
      loadConfig({ DATABASE_URL: 'mysql://user:secret@host/db' });
    } catch (error) {
      expect((error as Error).message).not.toContain('secret');
    }
  });
});
