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
      DATABASE_STATEMENT_TIMEOUT_MS: '30000',
      DATABASE_POOL_TIMEOUT_MS: '5000',
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
      statementTimeoutMs: 30000,
      poolTimeoutMs: 5000,
      headersTimeoutMs: 2000,
      requestTimeoutMs: 60000,
      maxConcurrentRequestsPerToken: 8,
    });
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' }).databaseUrl).toBeUndefined();
  });

  it.each([
    [{ PORT: 'abc' }, /^Invalid configuration: PORT must be a number \(got "abc"\)$/],
    [{ PORT: '70000' }, /^Invalid configuration: PORT must be at most 65535/],
    [
      { DATABASE_URL: 'mysql://x' },
      /^Invalid configuration: DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL$/,
    ],
    [{ REDIS_URL: 'localhost:6379' }, /^Invalid configuration: REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL$/],
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
