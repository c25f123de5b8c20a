import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookBody } from '../../src/domain/webhooks/payload.js';
import { ownerScope, startTestApp, type TestApp } from '../support/app.js';
import { fusion } from '../support/fusion.js';
import { gql } from '../support/graphql.js';
import { eventually, startReceiver, verified, type Receiver } from '../support/webhook-receiver.js';

/** Webhooks against the started server and a real HTTP receiver on 127.0.0.1 (allowed by WEBHOOK_ALLOW_HOSTS). */
let t: TestApp;
let rx: Receiver;
let datasheetId: string;
let titleId: string;

type Hook = {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
  secret?: string;
  disabledReason: string | null;
};
type Delivery = {
  id: string;
  status: string;
  attempts: number;
  lastError: string | null;
  responseStatus: number | null;
};

beforeAll(async () => {
  rx = await startReceiver();
  t = await startTestApp({
    RATE_LIMIT: 'off',
    WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
    WEBHOOK_BACKOFF_BASE_MS: '20',
    WEBHOOK_BACKOFF_MAX_MS: '100',
    WEBHOOK_MAX_ATTEMPTS: '3',
    WEBHOOK_DISABLE_AFTER: '2',
    WEBHOOK_POLL_MS: '20',
  });
  const scope = await ownerScope(t);
  datasheetId = (await t.app.services.datasheets.create(scope, { name: 'Hooked' })).id;
  titleId = (await t.app.services.datasheets.get(scope, datasheetId)).fields[0]!.id;
});
afterAll(async () => {
  await t?.close();
  await rx?.close();
});

const rest = <T = unknown>(method: string, path: string, body?: unknown, token = t.token) =>
  fusion<T>(t.url, method, `/v1/datasheets/${datasheetId}/webhooks${path}`, { token, body });

async function createHook(path: string, extra: Record<string, unknown> = {}): Promise<Hook & { secret: string }> {
  const made = await rest<Hook & { secret: string }>('POST', '', { url: rx.url(path), ...extra });
  expect(made.body).toMatchObject({ success: true, code: 200 });
  return made.body.data!;
}

const deliveriesOf = async (hookId: string) =>
  (await rest<{ deliveries: Delivery[] }>('GET', `/${hookId}/deliveries`)).body.data!.deliveries;

describe('managing webhooks over REST', () => {
  it('creates (secret shown once), lists, reads, updates and deletes', async () => {
    const made = await createHook('/crud', { description: 'orders to CRM' });
    expect(made).toMatchObject({
      url: rx.url('/crud'),
      events: ['records.created', 'records.updated', 'records.deleted', 'records.moved'],
      enabled: true,
      description: 'orders to CRM',
      disabledReason: null,
    });
    expect(made.secret).toMatch(/^whsec_[0-9A-Za-z]{32}$/);
    const list = await rest<{ webhooks: Hook[] }>('GET', '');
    expect(list.body.data!.webhooks.map((h) => h.id)).toContain(made.id);
    expect(list.text).not.toContain(made.secret);
    const updated = await rest<Hook>('PATCH', `/${made.id}`, { events: ['field.created'], enabled: false });
    expect(updated.body.data).toMatchObject({ id: made.id, events: ['field.created'], enabled: false });
    expect((await rest<Hook>('GET', `/${made.id}`)).body.data).toMatchObject({ enabled: false });
    expect((await rest('DELETE', `/${made.id}`)).body).toEqual({ code: 200, success: true, message: 'SUCCESS' });
    expect((await rest('GET', `/${made.id}`)).body).toEqual({
      success: false,
      code: 301,
      message: "Can't find the specified webhook",
    });
  });

  it('replays a create by Idempotency-Key with secret null, and keeps no secret in the stored reply', async () => {
    const headers = { 'Idempotency-Key': `hook-${Date.now()}` };
    const body = { url: rx.url('/replayed') };
    const path = `/v1/datasheets/${datasheetId}/webhooks`;
    const first = await fusion<Hook>(t.url, 'POST', path, { token: t.token, body, headers });
    const again = await fusion<Hook>(t.url, 'POST', path, { token: t.token, body, headers });
    expect(first.body.data!.secret).toMatch(/^whsec_/);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.data).toEqual({ ...first.body.data, secret: null });
    const stored = await t.app.prisma.idempotencyKey.findMany({ select: { responseBody: true } });
    expect(JSON.stringify(stored)).not.toContain(first.body.data!.secret!);
    await rest('DELETE', `/${first.body.data!.id}`);
  });

  it.each([
    [{ url: 'ftp://example.com/x' }, 'url must use http or https'],
    [{ url: 'not a url' }, 'url must be an absolute http or https URL'],
    [{ url: 'http://user:pw@example.com/' }, 'url must not contain credentials'],
    [{ url: 'http://[::1]:8080/' }, 'url host ::1 resolves to a private, loopback or link-local address (::1)'],
    [{ url: 'http://169.254.169.254/latest/meta-data' }, 'url host 169.254.169.254 resolves to a private'],
    [{ url: 'http://10.1.2.3/' }, 'url host 10.1.2.3 resolves to a private'],
    [{ url: 'http://localhost.invalid/' }, 'url host localhost.invalid does not resolve'],
    [{ url: 'http://127.0.0.1/', events: ['rows.changed'] }, 'events[0] "rows.changed" is not an event kind'],
    [{ url: 'http://127.0.0.1/', events: [] }, 'events must be a non-empty list of: records.created'],
    [{ url: 'http://127.0.0.1/', enabled: 'yes' }, 'enabled must be true or false'],
  ])('refuses %j with code 400 naming the parameter, creating nothing', async (body, message) => {
    const before = (await rest<{ webhooks: Hook[] }>('GET', '')).body.data!.webhooks.length;
    const response = await rest('POST', '', body);
    expect([response.status, response.body.success, response.body.code]).toEqual([200, false, 400]);
    expect(response.body.message).toContain(message);
    expect((await rest<{ webhooks: Hook[] }>('GET', '')).body.data!.webhooks).toHaveLength(before);
  });

  it('answers an unknown webhook and a webhook of another datasheet as missing', async () => {
    const scope = await ownerScope(t);
    const other = (await t.app.services.datasheets.create(scope, { name: 'Other' })).id;
    const made = await createHook('/elsewhere');
    const elsewhere = await fusion(t.url, 'PATCH', `/v1/datasheets/${other}/webhooks/${made.id}`, {
      token: t.token,
      body: { enabled: false },
    });
    expect(elsewhere.body).toMatchObject({ success: false, code: 301 });
    expect((await rest('DELETE', '/whkNOPENOPE00')).body).toMatchObject({ success: false, code: 301 });
    await rest('DELETE', `/${made.id}`);
  });
});

describe('deliveries', () => {
  it('POSTs signed per-record events for REST and GraphQL writes, each logged as succeeded', async () => {
    const hook = await createHook('/signed');
    const created = await fusion<{ records: { recordId: string }[] }>(
      t.url,
      'POST',
      `/v1/datasheets/${datasheetId}/records`,
      { token: t.token, body: { records: [{ fields: { Title: 'a' } }, { fields: { Title: 'b' } }] } },
    );
    const [a, b] = created.body.data!.records.map((r) => r.recordId);
    const updated = await gql(
      t.url,
      'mutation($d: ID!, $r: ID!) { updateRecords(datasheetId: $d, records: [{ id: $r, fields: { Title: "a2" } }]) { id } }',
      { token: t.token, variables: { d: datasheetId, r: a } },
    );
    expect(updated.body.errors).toBeUndefined();
    await fusion(t.url, 'DELETE', `/v1/datasheets/${datasheetId}/records?recordIds=${b}`, { token: t.token });

    const bodies = await eventually(() => rx.at('/signed').length >= 3 && rx.at('/signed'));
    const events = bodies.map((r) => {
      const body = verified<WebhookBody>(r, hook.secret);
      expect(r.headers['x-tablebase-delivery']).toBe(body.deliveryId);
      expect(r.headers['x-tablebase-event']).toBe(body.kind);
      expect(r.headers['x-tablebase-webhook']).toBe(hook.id);
      expect(r.headers['content-type']).toBe('application/json');
      return body;
    });
    expect(events.map((e) => [e.kind, e.records])).toEqual([
      [
        'records.created',
        [
          { recordId: a, oldValues: null, newValues: expect.objectContaining({ [titleId]: 'a' }) },
          { recordId: b, oldValues: null, newValues: expect.objectContaining({ [titleId]: 'b' }) },
        ],
      ],
      ['records.updated', [{ recordId: a, oldValues: { [titleId]: 'a' }, newValues: { [titleId]: 'a2' } }]],
      ['records.deleted', [{ recordId: b, oldValues: expect.objectContaining({ [titleId]: 'b' }), newValues: null }]],
    ]);
    expect(events[0]).toMatchObject({ webhookId: hook.id, datasheetId, part: 1, parts: 1, targetId: null });
    expect(new Set(events.map((e) => e.deliveryId)).size).toBe(3);
    // A signature made with another secret, or over another body, does not verify.
    expect(() => verified(bodies[0]!, 'whsec_wrong')).toThrow(/bad signature/);
    expect(() => verified({ ...bodies[0]!, body: bodies[0]!.body.replace('"a"', '"z"') }, hook.secret)).toThrow();

    const log = await eventually(async () => {
      const list = await deliveriesOf(hook.id);
      return list.length === 3 && list.every((d) => d.status === 'succeeded') && list;
    });
    expect(log[0]).toMatchObject({ attempts: 1, responseStatus: 200, lastError: null });
    await rest('DELETE', `/${hook.id}`);
  });

  it('retries after the receiver answers 500, with the same delivery id, until it answers 200', async () => {
    rx.plan('/flaky', [500, 500, 200]);
    const hook = await createHook('/flaky');
    await t.app.services.records.create(await ownerScope(t), datasheetId, [{ Title: 'retry me' }]);
    const attempts = await eventually(() => rx.at('/flaky').length >= 3 && rx.at('/flaky'));
    expect(attempts.map((r) => r.status)).toEqual([500, 500, 200]);
    expect(new Set(attempts.map((r) => r.headers['x-tablebase-delivery'])).size).toBe(1);
    for (const r of attempts) verified(r, hook.secret);
    const [delivery] = await eventually(async () => {
      const list = await deliveriesOf(hook.id);
      return list[0]?.status === 'succeeded' && list;
    });
    expect(delivery).toMatchObject({ attempts: 3, responseStatus: 200, lastError: null });
    await rest('DELETE', `/${hook.id}`);
  });

  it('logs a delivery as failed after its attempts and disables the webhook after repeated failures', async () => {
    rx.plan('/down', [500]);
    const hook = await createHook('/down');
    const scope = await ownerScope(t);
    await t.app.services.records.create(scope, datasheetId, [{ Title: 'one' }]);
    await t.app.services.records.create(scope, datasheetId, [{ Title: 'two' }]);
    const disabled = await eventually(async () => {
      const got = (await rest<Hook & { consecutiveFailures: number }>('GET', `/${hook.id}`)).body.data!;
      return !got.enabled && got;
    });
    expect(disabled.disabledReason).toBe('Disabled after 2 consecutive failed deliveries; the last one: HTTP 500');
    expect(disabled.consecutiveFailures).toBe(2);
    expect(await deliveriesOf(hook.id)).toEqual([
      expect.objectContaining({ status: 'failed', attempts: 3, responseStatus: 500, lastError: 'HTTP 500' }),
      expect.objectContaining({ status: 'failed', attempts: 3, responseStatus: 500, lastError: 'HTTP 500' }),
    ]);
    expect(rx.at('/down')).toHaveLength(6);
    // GraphQL shows the same reason; a disabled webhook gets no new deliveries.
    const listed = await gql<{ webhooks: { id: string; enabled: boolean; disabledReason: string }[] }>(
      t.url,
      'query($d: ID!) { webhooks(datasheetId: $d) { id enabled disabledReason } }',
      { token: t.token, variables: { d: datasheetId } },
    );
    expect(listed.body.data!.webhooks.find((h) => h.id === hook.id)).toEqual({
      id: hook.id,
      enabled: false,
      disabledReason: disabled.disabledReason,
    });
    await t.app.services.records.create(scope, datasheetId, [{ Title: 'three' }]);
    await t.app.services.feed.drain();
    expect(await deliveriesOf(hook.id)).toHaveLength(2);
    // Enabling it again clears the reason and the count.
    const enabled = await rest<Hook & { consecutiveFailures: number }>('PATCH', `/${hook.id}`, { enabled: true });
    expect(enabled.body.data).toMatchObject({ enabled: true, disabledReason: null, consecutiveFailures: 0 });
    await rest('DELETE', `/${hook.id}`);
  });
});

describe('managing webhooks over GraphQL', () => {
  const CREATE = `mutation($d: ID!, $url: String!) {
    createWebhook(datasheetId: $d, input: { url: $url, events: ["records.created", "field.created"] }) {
      secret webhook { id url events enabled }
    }
  }`;

  it('creates, lists, updates, reads the delivery log and deletes', async () => {
    const made = await gql<{ createWebhook: { secret: string; webhook: Hook } }>(t.url, CREATE, {
      token: t.token,
      variables: { d: datasheetId, url: rx.url('/graphql-hook') },
    });
    expect(made.body.errors).toBeUndefined();
    const { secret, webhook } = made.body.data!.createWebhook;
    expect(webhook).toMatchObject({ url: rx.url('/graphql-hook'), events: ['records.created', 'field.created'] });
    // A schema change reaches it too, signed.
    await t.app.services.fields.add(await ownerScope(t), datasheetId, { name: 'Notes', type: 'Text' });
    const [field] = await eventually(() => rx.at('/graphql-hook').length >= 1 && rx.at('/graphql-hook'));
    expect(verified<WebhookBody>(field!, secret)).toMatchObject({ kind: 'field.created', records: [], datasheetId });

    const log = await gql<{ webhookDeliveries: { nodes: Delivery[]; pageInfo: { hasNextPage: boolean } } }>(
      t.url,
      'query($id: ID!) { webhookDeliveries(webhookId: $id, first: 10) { nodes { id status attempts responseStatus lastError } pageInfo { hasNextPage } } }',
      { token: t.token, variables: { id: webhook.id } },
    );
    expect(log.body.data!.webhookDeliveries.nodes).toHaveLength(1);
    expect(log.body.data!.webhookDeliveries.nodes[0]!.id).toBe(field!.headers['x-tablebase-delivery']);

    const updated = await gql<{ updateWebhook: Hook }>(
      t.url,
      'mutation($id: ID!) { updateWebhook(id: $id, input: { enabled: false, description: "paused" }) { id enabled } }',
      { token: t.token, variables: { id: webhook.id } },
    );
    expect(updated.body.data!.updateWebhook).toEqual({ id: webhook.id, enabled: false });
    const bad = await gql(
      t.url,
      'mutation($id: ID!) { updateWebhook(id: $id, input: { url: "http://10.0.0.1/" }) { id } }',
      {
        token: t.token,
        variables: { id: webhook.id },
      },
    );
    expect(bad.body.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_ARGUMENT', parameter: 'url' });
    const removed = await gql(t.url, 'mutation($id: ID!) { deleteWebhook(id: $id) }', {
      token: t.token,
      variables: { id: webhook.id },
    });
    expect(removed.body.data).toEqual({ deleteWebhook: webhook.id });
    const gone = await gql(t.url, 'mutation($id: ID!) { deleteWebhook(id: $id) }', {
      token: t.token,
      variables: { id: webhook.id },
    });
    expect(gone.body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', parameter: 'webhookId' });
  });

  it('replays createWebhook by idempotency key without the secret', async () => {
    const variables = { d: datasheetId, url: rx.url('/idem') };
    const query = CREATE.replace('field.created"] }', 'field.created"] }, idempotencyKey: "hook-1"');
    const first = await gql<{ createWebhook: { secret: string | null; webhook: Hook } }>(t.url, query, {
      token: t.token,
      variables,
    });
    const again = await gql<{ createWebhook: { secret: string | null; webhook: Hook } }>(t.url, query, {
      token: t.token,
      variables,
    });
    expect(first.body.data!.createWebhook.secret).toMatch(/^whsec_/);
    expect(again.body.data!.createWebhook).toEqual({ ...first.body.data!.createWebhook, secret: null });
    await rest('DELETE', `/${first.body.data!.createWebhook.webhook.id}`);
  });
});
