import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMIT_SETTINGS, parseRateLimitSettings } from '../../src/ratelimit/limiter.js';

describe('parseRateLimitSettings', () => {
  it('answers the defaults for an empty environment, and treats empty strings as unset', () => {
    const expected = {
      enabled: true,
      qps: { FREE: 2, PLUS: 5, PRO: 10, ENTERPRISE: 20 },
      windowMs: 1000,
      graphqlCostPerRequest: 50,
      monthlyQuota: { FREE: null, PLUS: null, PRO: null, ENTERPRISE: null },
      tokenMultiple: 5,
      addressQps: 20,
    };
    expect(DEFAULT_RATE_LIMIT_SETTINGS).toEqual(expected);
    expect(parseRateLimitSettings({})).toEqual(expected);
    expect(
      parseRateLimitSettings({
        RATE_LIMIT: '',
        RATE_LIMIT_QPS: ' ',
        RATE_LIMIT_WINDOW_MS: '',
        GRAPHQL_COST_PER_REQUEST: '',
        API_MONTHLY_QUOTA: '',
        RATE_LIMIT_TOKEN_MULTIPLE: '',
        RATE_LIMIT_ADDRESS_QPS: '',
      }),
    ).toEqual(expected);
  });

  it('switches the QPS limits with RATE_LIMIT=on|off', () => {
    expect(parseRateLimitSettings({ RATE_LIMIT: 'off' }).enabled).toBe(false);
    expect(parseRateLimitSettings({ RATE_LIMIT: ' OFF ' }).enabled).toBe(false);
    expect(parseRateLimitSettings({ RATE_LIMIT: 'on' }).enabled).toBe(true);
  });

  it('overrides only the plans listed', () => {
    const s = parseRateLimitSettings({
      RATE_LIMIT_QPS: 'free=3, PRO = 40',
      RATE_LIMIT_WINDOW_MS: '250',
      GRAPHQL_COST_PER_REQUEST: '7',
      API_MONTHLY_QUOTA: 'FREE=10000,PLUS=unlimited,PRO=0',
    });
    expect(s.qps).toEqual({ FREE: 3, PLUS: 5, PRO: 40, ENTERPRISE: 20 });
    expect(s.windowMs).toBe(250);
    expect(s.graphqlCostPerRequest).toBe(7);
    expect(s.monthlyQuota).toEqual({ FREE: 10000, PLUS: null, PRO: 0, ENTERPRISE: null });
  });

  it('does not share state between results and the defaults', () => {
    const s = parseRateLimitSettings({});
    s.qps.FREE = 99;
    expect(DEFAULT_RATE_LIMIT_SETTINGS.qps.FREE).toBe(2);
  });

  const invalid: Array<[Record<string, string>, string | RegExp]> = [
    [{ RATE_LIMIT: 'maybe' }, 'RATE_LIMIT must be "on" or "off" (got "maybe")'],
    [{ RATE_LIMIT_QPS: 'x' }, 'RATE_LIMIT_QPS must look like FREE=2,PLUS=5 (got "x")'],
    [{ RATE_LIMIT_QPS: 'FREE=2,' }, 'RATE_LIMIT_QPS must look like FREE=2,PLUS=5 (got "FREE=2,")'],
    [{ RATE_LIMIT_QPS: 'GOLD=2' }, /^RATE_LIMIT_QPS: unknown plan "GOLD"/],
    [{ RATE_LIMIT_QPS: 'FREE=0' }, /^RATE_LIMIT_QPS: invalid value for FREE \(got "0"\)/],
    [{ RATE_LIMIT_QPS: 'FREE=1.5' }, /^RATE_LIMIT_QPS: invalid value for FREE/],
    [{ RATE_LIMIT_QPS: 'FREE=unlimited' }, /^RATE_LIMIT_QPS: invalid value for FREE/],
    [{ RATE_LIMIT_QPS: 'FREE=2,free=3' }, /^RATE_LIMIT_QPS: plan FREE is listed twice/],
    [{ RATE_LIMIT_WINDOW_MS: '0' }, 'RATE_LIMIT_WINDOW_MS must be a positive whole number (got "0")'],
    [{ RATE_LIMIT_WINDOW_MS: '1s' }, 'RATE_LIMIT_WINDOW_MS must be a positive whole number (got "1s")'],
    [{ GRAPHQL_COST_PER_REQUEST: '-5' }, 'GRAPHQL_COST_PER_REQUEST must be a positive whole number (got "-5")'],
    [{ API_MONTHLY_QUOTA: 'FREE' }, 'API_MONTHLY_QUOTA must look like FREE=10000,PLUS=unlimited (got "FREE")'],
    [{ API_MONTHLY_QUOTA: 'PLUS=lots' }, /^API_MONTHLY_QUOTA: invalid value for PLUS \(got "lots"\)/],
    [{ API_MONTHLY_QUOTA: 'FREE=99999999999999999999' }, /^API_MONTHLY_QUOTA: invalid value for FREE/],
  ];
  it.each(invalid)('rejects %o with a one-line message naming the variable', (env, message) => {
    let error: unknown;
    try {
      parseRateLimitSettings(env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(Error);
    const text = (error as Error).message;
    expect(text).not.toContain('\n');
    expect(text.startsWith(Object.keys(env)[0]!)).toBe(true);
    if (typeof message === 'string') expect(text).toBe(message);
    else expect(text).toMatch(message);
  });
});
