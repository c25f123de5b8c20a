import { afterAll, beforeAll, expect, it } from 'vitest';
import { asQueryable } from '../../src/db/client.js';
import { claimDueDeliveries, insertDeliveries, recordAttempt } from '../../src/db/stores/webhook.store.js';
import { newId } from '../../src/domain/ids.js';
import { testInstallation } from '../support/db.js';

/** The delivery rows' lease: at most one attempt of a delivery in flight, whoever claims (other processes too). */
let inst: Awaited<ReturnType<typeof testInstallation>>;
let webhookId: string;

beforeAll(async () => {
  inst = await testInstallation();
  const space = await inst.services.spaces.create({ name: 'Store' });
  const datasheet = await inst.services.datasheets.create({ spaceId: space.id, userId: null }, { name: 'D' });
  webhookId = newId('webhook');
  await inst.db.prisma.webhook.create({
    data: {
      id: webhookId,
      spaceId: space.id,
      datasheetId: datasheet.id,
      url: 'http://127.0.0.1:9/',
      secret: 's',
      events: [],
    },
  });
}, 180_000);
afterAll(async () => {
  await inst?.dispose();
});

it('keeps one delivery per webhook, event and part, leases each to one claimer, and ignores a stale lease holder', async () => {
  const q = asQueryable(inst.db.prisma);
  const rows = Array.from({ length: 6 }, (_, i) => ({
    id: newId('webhookDelivery'),
    webhookId,
    eventId: String(i),
    part: 0,
    kind: 'records.created',
    payload: '{}',
  }));
  await insertDeliveries(q, rows);
  // The feed hands an event again after a crash: the same rows are not made twice.
  await insertDeliveries(
    q,
    rows.map((r) => ({ ...r, id: newId('webhookDelivery') })),
  );
  expect(await inst.db.prisma.webhookDelivery.count({ where: { webhookId } })).toBe(6);

  const [a, b, c] = await Promise.all([
    claimDueDeliveries(inst.db, 4, 'worker-a', 60_000),
    claimDueDeliveries(inst.db, 4, 'worker-b', 60_000),
    claimDueDeliveries(inst.db, 4, 'worker-c', 60_000),
  ]);
  const claimed = [...a!, ...b!, ...c!].map((d) => d.id);
  expect(claimed.sort()).toEqual(rows.map((r) => r.id).sort());
  expect(await claimDueDeliveries(inst.db, 10, 'worker-d', 60_000)).toEqual([]);

  // A worker whose lease was taken over cannot record its attempt. (Which claimer got which rows is the race's.)
  const [holder, held] = (
    [
      ['worker-a', a!],
      ['worker-b', b!],
      ['worker-c', c!],
    ] as const
  ).find(([, got]) => got.length)!;
  const id = held[0]!.id;
  const outcome = { ok: true, status: 200, error: null, snippet: null };
  expect(await recordAttempt(inst.db, id, 'worker-z', outcome, null, 5, 'x')).toBe(false);
  expect((await inst.db.prisma.webhookDelivery.findUnique({ where: { id } }))?.status).toBe('pending');
  await recordAttempt(inst.db, id, holder, outcome, null, 5, 'x');
  expect((await inst.db.prisma.webhookDelivery.findUnique({ where: { id } }))?.status).toBe('succeeded');
});

it('hands a delivery whose lease lapsed (its process died mid-attempt) to another worker, counting the attempt', async () => {
  await inst.db.prisma.webhookDelivery.deleteMany({});
  const id = newId('webhookDelivery');
  await insertDeliveries(inst.db, [
    { id, webhookId, eventId: 'lapse', part: 0, kind: 'records.created', payload: '{}' },
  ]);
  expect((await claimDueDeliveries(inst.db, 1, 'dead', 1)).map((d) => d.attempts)).toEqual([1]);
  await new Promise((r) => setTimeout(r, 50));
  expect((await claimDueDeliveries(inst.db, 1, 'alive', 60_000)).map((d) => [d.id, d.attempts])).toEqual([[id, 2]]);
});
