import { describe, expect, it } from 'vitest';
import type { FeedEvent } from '../../src/domain/events/feed.js';
import { deliveryParts, RECORDS_PER_DELIVERY } from '../../src/domain/webhooks/payload.js';
import { parseWebhookSettings } from '../../src/domain/webhooks/settings.js';
import { signatureHeader, verifySignature } from '../../src/domain/webhooks/signature.js';
import { createTargetGuard, parseTargetUrl, type Resolver } from '../../src/domain/webhooks/target-url.js';

const guardOf = (env: Record<string, string>, resolve: Resolver) =>
  createTargetGuard(parseWebhookSettings(env), resolve);
const dns =
  (table: Record<string, string[]>): Resolver =>
  async (host) => {
    const found = table[host];
    if (!found) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return found;
  };
const check = (guard: ReturnType<typeof guardOf>, url: string) => guard(parseTargetUrl(url));

describe('webhook target guard', () => {
  const table = {
    'hooks.example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
    localhost: ['127.0.0.1', '::1'],
    'mixed.example.com': ['93.184.215.14', '10.0.0.7'],
    'mapped.example.com': ['::ffff:169.254.169.254'],
    'internal.corp': ['10.20.30.40'],
  };

  it.each([
    'http://127.0.0.1:3000/',
    'http://2130706433/', // 127.0.0.1 written as a number
    'http://0x7f.1/',
    'http://localhost/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://169.254.169.254/latest/meta-data',
    'http://192.168.1.1/',
    'http://172.16.0.1/',
    'http://100.64.0.1/',
    'http://0.0.0.0/',
    'http://[fe80::1]/',
    'http://[fd00::1]/',
    'http://mixed.example.com/',
    'http://mapped.example.com/',
  ])('refuses %s by default, naming url', async (url) => {
    await expect(check(guardOf({}, dns(table)), url)).rejects.toMatchObject({
      reason: 'INVALID_ARGUMENT',
      details: { parameter: 'url' },
      message: expect.stringMatching(/^url host .+ resolves to a private, loopback or link-local address/),
    });
  });

  it('allows public hosts, answering every address to connect to', async () => {
    expect(await check(guardOf({}, dns(table)), 'https://hooks.example.com/in')).toEqual(table['hooks.example.com']);
  });

  it('allows what WEBHOOK_ALLOW_HOSTS names (address, range, host name) and everything with WEBHOOK_ALLOW_PRIVATE', async () => {
    const guard = guardOf({ WEBHOOK_ALLOW_HOSTS: '127.0.0.1,10.0.0.0/8,localhost' }, dns(table));
    expect(await check(guard, 'http://127.0.0.1:9/')).toEqual(['127.0.0.1']);
    expect(await check(guard, 'http://internal.corp/')).toEqual(['10.20.30.40']);
    expect(await check(guard, 'http://localhost/')).toEqual(['127.0.0.1', '::1']);
    await expect(check(guard, 'http://192.168.0.1/')).rejects.toThrow(/private/);
    expect(await check(guardOf({ WEBHOOK_ALLOW_PRIVATE: 'true' }, dns(table)), 'http://192.168.0.1/')).toEqual([
      '192.168.0.1',
    ]);
  });

  it('checks again on every call, so a name re-pointed at an internal address is refused (DNS rebinding)', async () => {
    const answers = [['93.184.215.14'], ['127.0.0.1']];
    const guard = guardOf({}, async () => answers.shift()!);
    expect(await check(guard, 'http://rebind.example.com/')).toEqual(['93.184.215.14']);
    await expect(check(guard, 'http://rebind.example.com/')).rejects.toThrow(/127\.0\.0\.1/);
  });

  it('refuses a host that does not resolve', async () => {
    await expect(check(guardOf({}, dns(table)), 'http://nowhere.example/')).rejects.toThrow(
      'url host nowhere.example does not resolve',
    );
  });
});

describe('webhook bodies', () => {
  const event = (n: number): FeedEvent => ({
    id: '7',
    sequence: '3',
    spaceId: 'spc1',
    datasheetId: 'dst1',
    kind: 'records.updated',
    revision: 4,
    recordIds: Array.from({ length: n }, (_, i) => `rec${i}`),
    changes: Array.from({ length: n }, (_, i) => ({
      recordId: `rec${i}`,
      fieldId: 'fldA',
      oldValue: i,
      newValue: i + 1,
    })),
    targetId: null,
    detail: {},
    actorId: 'usr1',
    tokenId: 'tkn1',
    requestId: null,
    at: new Date('2026-12-07T00:00:00Z'),
  });

  it('splits a bulk change into parts of at most RECORDS_PER_DELIVERY records, one event per record', () => {
    const parts = deliveryParts(event(RECORDS_PER_DELIVERY * 2 + 1), 'whk1').map((p) => JSON.parse(p));
    expect(parts.map((p) => [p.part, p.parts, p.records.length])).toEqual([
      [1, 3, 100],
      [2, 3, 100],
      [3, 3, 1],
    ]);
    expect(parts[2].records[0]).toEqual({ recordId: 'rec200', oldValues: { fldA: 200 }, newValues: { fldA: 201 } });
  });

  it('signs `<t>.<body>` and verifies only that body, that secret and a recent t', () => {
    const now = Math.floor(Date.now() / 1000);
    const header = signatureHeader('whsec_a', '{"x":1}', now);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature('whsec_a', '{"x":1}', header)).toBe(true);
    expect(verifySignature('whsec_a', '{"x":2}', header)).toBe(false);
    expect(verifySignature('whsec_b', '{"x":1}', header)).toBe(false);
    expect(verifySignature('whsec_a', '{"x":1}', signatureHeader('whsec_a', '{"x":1}', now - 3600))).toBe(false);
  });
});
