import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RecordsChangedEvent } from '../../src/domain/events/change-bus.js';
import { domainFixture } from '../support/domain.js';

let f: Awaited<ReturnType<typeof domainFixture>>;
beforeAll(async () => {
  f = await domainFixture();
});
afterAll(async () => {
  await f?.inst.dispose();
});
beforeEach(() => {
  f.events.length = 0;
});

async function sheet(name: string, extra: { name: string; type: string; property?: unknown }[] = []) {
  return f.services.datasheets.create(f.scope, {
    name,
    fields: [
      { name: 'Title', type: 'SingleText', property: {} },
      { name: 'Qty', type: 'Number', property: { precision: 0 } },
      { name: 'Status', type: 'SingleSelect', property: { options: [{ name: 'Todo' }] } },
      { name: 'When', type: 'DateTime', property: { dateFormat: 'YYYY-MM-DD', includeTime: true } },
      { name: 'Mail', type: 'Email' },
      ...extra,
    ],
  });
}

const recordEvents = () => f.events.filter((e): e is RecordsChangedEvent => e.type === 'records.changed');
const count = (datasheetId: string) => f.inst.db.prisma.record.count({ where: { datasheetId } });
const cells = async (datasheetId: string) =>
  (await f.services.records.get(f.scope, datasheetId)).map((r) => ({ id: r.id, cells: r.cells, revision: r.revision }));

describe('upsert', () => {
  it('updates the records whose merge values match and creates the rest, in one transaction and one event', async () => {
    const ds = await sheet('Upsert');
    const [a, b] = await f.services.records.create(f.scope, ds.id, [
      { Title: 'a', Qty: 1 },
      { Title: 'b', Qty: 2 },
    ]);
    f.events.length = 0;
    const answer = await f.services.records.upsert(
      f.scope,
      ds.id,
      [{ fields: { Title: 'c', Qty: 3 } }, { fields: { Title: 'a', Qty: 10 } }, { fields: { Title: 'b', Qty: 2 } }],
      ['Title'],
    );
    expect(answer.updated).toEqual([a!.id, b!.id]);
    expect(answer.created).toHaveLength(1);
    expect(answer.records.map((r) => [r.recordId, r.fields])).toEqual([
      [answer.created[0], { Title: 'c', Qty: 3 }],
      [a!.id, { Title: 'a', Qty: 10 }],
      [b!.id, { Title: 'b', Qty: 2 }],
    ]);
    expect(await count(ds.id)).toBe(3);
    // b was unchanged: it keeps its revision and is not in the event.
    const rows = new Map((await cells(ds.id)).map((r) => [r.id, r]));
    expect(rows.get(a!.id)!.revision).toBe(2);
    expect(rows.get(b!.id)!.revision).toBe(1);
    expect(recordEvents()).toHaveLength(1);
    expect(recordEvents()[0]).toMatchObject({
      created: [{ recordId: answer.created[0] }],
      updated: [{ recordId: a!.id }],
      deleted: [],
    });
    const history = await f.services.records.history(f.scope, a!.id);
    expect(history.entries[0]).toMatchObject({ oldValue: 1, newValue: 10 });
  });

  it('matches on several fields as their types store them (select option, date as string or epoch ms, email), by id too', async () => {
    const ds = await sheet('Upsert keys');
    const [row] = await f.services.records.create(f.scope, ds.id, [
      { Title: 'x', Status: 'Todo', When: '2024-01-02T03:04:05.000Z', Mail: 'a@example.com' },
    ]);
    const fields = (await f.services.datasheets.get(f.scope, ds.id)).fields;
    const id = (name: string) => fields.find((x) => x.name === name)!.id;
    const when = Date.parse('2024-01-02T03:04:05.000Z');
    const answer = await f.services.records.upsert(
      f.scope,
      ds.id,
      [
        { fields: { [id('Status')]: 'Todo', [id('When')]: when, [id('Mail')]: 'a@example.com', [id('Qty')]: 7 } },
        // A new option name matches nothing: created, the option saved once.
        { fields: { [id('Status')]: 'Later', [id('When')]: when, [id('Mail')]: 'a@example.com' } },
      ],
      [id('Status'), id('When'), id('Mail')],
      { fieldKey: 'id' },
    );
    expect(answer.updated).toEqual([row!.id]);
    expect(answer.created).toHaveLength(1);
    expect(answer.records[0]!.fields).toMatchObject({ [id('Qty')]: 7, [id('Title')]: 'x' });
    expect(answer.records[1]!.fields).toMatchObject({ [id('Status')]: 'Later' });
    const status = (await f.services.datasheets.get(f.scope, ds.id)).fields.find((x) => x.name === 'Status')!;
    expect((status.property as { options: { name: string }[] }).options.map((o) => o.name)).toEqual(['Todo', 'Later']);
  });

  it('refuses two input records with the same key, naming both indexes and the key, and writes nothing', async () => {
    const ds = await sheet('Upsert dup input');
    await expect(
      f.services.records.upsert(
        f.scope,
        ds.id,
        [{ fields: { Title: 'a' } }, { fields: { Title: 'b' } }, { fields: { Title: 'a', Qty: 2 } }],
        ['Title'],
      ),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/records\[2\].*records\[0\].*Title="a"/),
      details: { parameter: 'records[2].fields', recordIndex: 2 },
    });
    expect(await count(ds.id)).toBe(0);
    expect(recordEvents()).toEqual([]);
  });

  it('refuses a key that more than one existing record holds, naming the index, the key and the records', async () => {
    const ds = await sheet('Upsert dup existing');
    const twins = await f.services.records.create(f.scope, ds.id, [{ Title: 'twin' }, { Title: 'twin' }]);
    const before = await cells(ds.id);
    f.events.length = 0;
    await expect(
      f.services.records.upsert(
        f.scope,
        ds.id,
        [{ fields: { Title: 'new' } }, { fields: { Title: 'twin', Qty: 5 } }],
        ['Title'],
      ),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/records\[1\] matches 2 existing records.*Title="twin"/),
      details: { parameter: 'records[1].fields', recordIndex: 1, recordIds: twins.map((r) => r.id).sort() },
    });
    expect(await cells(ds.id)).toEqual(before);
    expect(f.events).toEqual([]);
  });

  it('refuses merge fields that do not exist or do not compare (computed, attachment, link), naming the field', async () => {
    const people = await sheet('Upsert people');
    const ds = await sheet('Upsert types', [
      { name: 'Files', type: 'Attachment' },
      { name: 'Who', type: 'OneWayLink', property: { foreignDatasheetId: people.id } },
      { name: 'Calc', type: 'Formula', property: { expression: '{Qty} * 2' } },
      { name: 'No', type: 'AutoNumber' },
    ]);
    const upsert = (merge: unknown[]) => f.services.records.upsert(f.scope, ds.id, [{ fields: { Title: 'a' } }], merge);
    for (const name of ['Files', 'Who', 'Calc', 'No']) {
      await expect(upsert(['Title', name])).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining(`Field ${name} is a`),
        details: { parameter: 'fieldsToMergeOn[1]', field: name },
      });
    }
    await expect(upsert(['Nope'])).rejects.toMatchObject({
      message: 'Field Nope does not exist',
      details: { parameter: 'fieldsToMergeOn[0]' },
    });
    await expect(upsert([])).rejects.toMatchObject({ details: { parameter: 'fieldsToMergeOn' } });
    await expect(upsert(['Title', 'Title'])).rejects.toMatchObject({ details: { parameter: 'fieldsToMergeOn[1]' } });
    // An input without a value for a merge field cannot be matched: refused, naming it.
    await expect(
      f.services.records.upsert(f.scope, ds.id, [{ fields: { Title: 'a' } }, { fields: { Qty: 1 } }], ['Title']),
    ).rejects.toMatchObject({ details: { parameter: 'records[1].fields.Title', recordIndex: 1, field: 'Title' } });
    expect(await count(ds.id)).toBe(0);
  });

  it('is all or nothing: one bad record among 1,000 (half of them updates) writes nothing and names its index and field', async () => {
    const ds = await sheet('Upsert atomic');
    await f.services.records.create(
      f.scope,
      ds.id,
      Array.from({ length: 500 }, (_, i) => ({ Title: `r${i}`, Qty: i })),
    );
    const before = await cells(ds.id);
    f.events.length = 0;
    const batch = Array.from({ length: 1000 }, (_, i) => ({ fields: { Title: `r${i}`, Qty: i + 1 } as object }));
    batch[750] = { fields: { Title: 'r750', Qty: 'many' } };
    await expect(f.services.records.upsert(f.scope, ds.id, batch, ['Title'])).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { parameter: 'records[750].fields.Qty', recordIndex: 750, field: 'Qty' },
    });
    expect(await cells(ds.id)).toEqual(before);
    expect(f.events).toEqual([]);

    batch[750] = { fields: { Title: 'r750', Qty: 751 } };
    const answer = await f.services.records.upsert(f.scope, ds.id, batch, ['Title']);
    expect(answer.updated).toHaveLength(500);
    expect(answer.created).toHaveLength(500);
    expect(answer.records.map((r) => r.fields.Qty)).toEqual(batch.map((_, i) => i + 1));
    expect(await count(ds.id)).toBe(1000);
  });

  it('takes at most 1,000 records and respects the row cap', async () => {
    const ds = await sheet('Upsert limits');
    const many = Array.from({ length: 1001 }, (_, i) => ({ fields: { Title: `r${i}` } }));
    await expect(f.services.records.upsert(f.scope, ds.id, many, ['Title'])).rejects.toMatchObject({
      reason: 'BATCH_LIMIT',
      details: { parameter: 'records', limit: 1000 },
    });
    await f.services.records.create(f.scope, ds.id, [{ Title: 'a' }, { Title: 'b' }]);
    await f.inst.db.prisma.datasheet.update({ where: { id: ds.id }, data: { rowCap: 2 } });
    // Updates only: within the cap. One creation: over it, and nothing is written.
    await f.services.records.upsert(f.scope, ds.id, [{ fields: { Title: 'a', Qty: 1 } }], ['Title']);
    await expect(
      f.services.records.upsert(
        f.scope,
        ds.id,
        [{ fields: { Title: 'b', Qty: 1 } }, { fields: { Title: 'c' } }],
        ['Title'],
      ),
    ).rejects.toMatchObject({ reason: 'ROW_CAP_REACHED' });
    expect((await cells(ds.id)).map((r) => r.revision)).toEqual([2, 1]);
    expect(await count(ds.id)).toBe(2);
  });
});

describe('apply', () => {
  it('creates, updates and deletes in one transaction, one datasheet revision and one event', async () => {
    const ds = await sheet('Apply');
    const [a, b, c] = await f.services.records.create(f.scope, ds.id, [{ Title: 'a' }, { Title: 'b' }, { Title: 'c' }]);
    const revision = (await f.services.datasheets.get(f.scope, ds.id)).revision;
    f.events.length = 0;
    const answer = await f.services.records.apply(f.scope, ds.id, {
      creates: [{ fields: { Title: 'd', Qty: 4 } }, { fields: { Title: 'e', Status: 'Doing' } }],
      updates: [
        { id: a!.id, fields: { Qty: 1 }, expectedRevision: 1 },
        { id: b!.id, fields: { Title: 'B' } },
      ],
      deletes: [c!.id],
    });
    expect(answer.created.map((r) => r.fields)).toEqual([
      { Title: 'd', Qty: 4 },
      { Title: 'e', Status: 'Doing' },
    ]);
    expect(answer.updated.map((r) => [r.recordId, r.fields])).toEqual([
      [a!.id, { Title: 'a', Qty: 1 }],
      [b!.id, { Title: 'B' }],
    ]);
    expect(answer.deleted).toEqual([c!.id]);
    expect(await count(ds.id)).toBe(4);
    const after = await f.services.datasheets.get(f.scope, ds.id);
    expect(after.revision).toBe(revision + 1);
    expect(await f.inst.db.prisma.datasheet.findUnique({ where: { id: ds.id } })).toMatchObject({ recordCount: 4 });
    expect(recordEvents()).toHaveLength(1);
    expect(recordEvents()[0]).toMatchObject({
      revision: revision + 1,
      created: [{ recordId: answer.created[0]!.recordId }, { recordId: answer.created[1]!.recordId }],
      updated: [{ recordId: a!.id }, { recordId: b!.id }],
      deleted: [{ recordId: c!.id }],
    });
  });

  it('keeps two-way links symmetric across its creates, updates and deletes', async () => {
    const people = await sheet('Apply linked people');
    const [p1, p2] = await f.services.records.create(f.scope, people.id, [{ Title: 'p1' }, { Title: 'p2' }]);
    const ds = await sheet('Apply links');
    const link = await f.services.fields.add(f.scope, ds.id, {
      name: 'People',
      type: 'TwoWayLink',
      property: { foreignDatasheetId: people.id },
    });
    const brother = (link.property as { brotherFieldId: string }).brotherFieldId;
    const [a, b] = await f.services.records.create(f.scope, ds.id, [
      { Title: 'a', People: [p1!.id] },
      { Title: 'b', People: [p2!.id] },
    ]);
    const answer = await f.services.records.apply(f.scope, ds.id, {
      creates: [{ fields: { Title: 'c', People: [p1!.id] } }],
      updates: [{ id: a!.id, fields: { People: [p2!.id] } }],
      deletes: [b!.id],
    });
    const c = answer.created[0]!.recordId;
    const sides = new Map((await f.services.records.get(f.scope, people.id)).map((r) => [r.id, r.cells[brother]]));
    expect(sides.get(p1!.id)).toEqual([c]);
    expect(sides.get(p2!.id)).toEqual([a!.id]);
  });

  it('one failing operation fails the whole batch, naming it, and writes nothing', async () => {
    const people = await sheet('Apply people');
    const [gone] = await f.services.records.create(f.scope, people.id, [{ Title: 'gone' }]);
    const ds = await sheet('Apply atomic', [
      { name: 'Who', type: 'OneWayLink', property: { foreignDatasheetId: people.id } },
    ]);
    const rows = await f.services.records.create(f.scope, ds.id, [{ Title: 'a' }, { Title: 'b' }, { Title: 'c' }]);
    const ids = rows.map((r) => r.id);
    const before = await cells(ds.id);
    const options = (await f.services.datasheets.get(f.scope, ds.id)).fields.find((x) => x.name === 'Status')!;
    f.events.length = 0;
    const apply = (changes: Parameters<typeof f.services.records.apply>[2]) =>
      f.services.records.apply(f.scope, ds.id, changes);
    const good = {
      creates: [{ fields: { Title: 'new', Status: 'Brand new' } }],
      updates: [
        { id: ids[0], fields: { Qty: 1 } },
        { id: ids[1], fields: { Qty: 2 } },
      ],
      deletes: [ids[2]],
    };
    await expect(
      apply({ ...good, updates: [...good.updates, { id: ids[1], fields: { Qty: 3 } }] }),
    ).rejects.toMatchObject({ details: { parameter: 'updates[2].id' } });
    await expect(
      apply({ ...good, updates: [good.updates[0]!, { id: ids[1], fields: { Qty: 'many' } }] }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { parameter: 'updates[1].fields.Qty', recordIndex: 1, field: 'Qty' },
    });
    await expect(apply({ ...good, creates: [{ fields: { Title: 1 } }] })).rejects.toMatchObject({
      details: { parameter: 'creates[0].fields.Title', recordIndex: 0 },
    });
    await expect(apply({ ...good, deletes: ['recNope000000'] })).rejects.toMatchObject({
      details: { parameter: 'deletes[0]', recordIds: ['recNope000000'] },
    });
    await expect(apply({ ...good, updates: [{ id: 'recNope000000', fields: { Qty: 1 } }] })).rejects.toMatchObject({
      details: { parameter: 'updates[0].id' },
    });
    await expect(apply({ ...good, deletes: [ids[0]] })).rejects.toMatchObject({
      message: expect.stringContaining('updates[0].id and deletes[0]'),
      details: { parameter: 'deletes[0]' },
    });
    // A link to a record deleted elsewhere: found missing after the other operations ran, all rolled back.
    await f.services.records.delete(f.scope, people.id, [gone!.id]);
    await expect(apply({ ...good, creates: [{ fields: { Title: 'x', Who: [gone!.id] } }] })).rejects.toThrow(
      `The linked field specifies a record (${gone!.id}) that does not exist`,
    );
    expect(await cells(ds.id)).toEqual(before);
    expect((await f.services.datasheets.get(f.scope, ds.id)).fields.find((x) => x.name === 'Status')).toEqual(options);
    expect(recordEvents().filter((e) => e.datasheetId === ds.id)).toEqual([]);
  });

  it('an update whose record moved past expectedRevision answers REVISION_MISMATCH and nothing is written', async () => {
    const ds = await sheet('Apply revision');
    const [a, b] = await f.services.records.create(f.scope, ds.id, [{ Title: 'a' }, { Title: 'b' }]);
    await f.services.records.update(f.scope, ds.id, [{ recordId: b!.id, fields: { Title: 'b2' } }]);
    const before = await cells(ds.id);
    f.events.length = 0;
    await expect(
      f.services.records.apply(f.scope, ds.id, {
        creates: [{ fields: { Title: 'c' } }],
        updates: [
          { id: a!.id, fields: { Qty: 1 }, expectedRevision: 1 },
          { id: b!.id, fields: { Qty: 2 }, expectedRevision: 1 },
        ],
      }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
      reason: 'REVISION_MISMATCH',
      details: { recordId: b!.id, revision: 2, expectedRevision: 1, parameter: 'updates[1].id' },
    });
    expect(await cells(ds.id)).toEqual(before);
    expect(f.events).toEqual([]);
    await expect(
      f.services.records.apply(f.scope, ds.id, { updates: [{ id: a!.id, fields: {}, expectedRevision: -1 }] }),
    ).rejects.toMatchObject({ details: { parameter: 'updates[0].expectedRevision' } });
    const ok = await f.services.records.apply(f.scope, ds.id, {
      updates: [{ id: b!.id, fields: { Qty: 2 }, expectedRevision: 2 }],
    });
    expect(ok.updated[0]).toMatchObject({ recordId: b!.id, fields: { Title: 'b2', Qty: 2 } });
  });

  it('takes at most 500 operations in total, and checks the row cap on the net change', async () => {
    const ds = await sheet('Apply limits');
    const rows = await f.services.records.create(f.scope, ds.id, [{ Title: 'a' }, { Title: 'b' }]);
    const tooMany = {
      creates: Array.from({ length: 300 }, () => ({ fields: { Title: 'x' } })),
      updates: Array.from({ length: 200 }, () => ({ id: rows[0]!.id, fields: { Qty: 1 } })),
      deletes: [rows[1]!.id],
    };
    await expect(f.services.records.apply(f.scope, ds.id, tooMany)).rejects.toMatchObject({
      reason: 'BATCH_LIMIT',
      details: { parameter: 'changes', limit: 500 },
    });
    await expect(f.services.records.apply(f.scope, ds.id, {})).rejects.toMatchObject({
      details: { parameter: 'changes' },
    });
    const full = await f.services.records.apply(f.scope, ds.id, {
      creates: Array.from({ length: 499 }, (_, i) => ({ fields: { Title: `n${i}` } })),
      deletes: [rows[1]!.id],
    });
    expect(full.created).toHaveLength(499);
    expect(await count(ds.id)).toBe(500);
    await f.inst.db.prisma.datasheet.update({ where: { id: ds.id }, data: { rowCap: 500 } });
    // One in, one out: within the cap. One in alone: over it.
    await f.services.records.apply(f.scope, ds.id, {
      creates: [{ fields: { Title: 'swap' } }],
      deletes: [full.created[0]!.recordId],
    });
    await expect(
      f.services.records.apply(f.scope, ds.id, { creates: [{ fields: { Title: 'over' } }] }),
    ).rejects.toMatchObject({ reason: 'ROW_CAP_REACHED' });
    expect(await count(ds.id)).toBe(500);
  });
});

describe('update with expectedRevision', () => {
  it('refuses the whole batch when one record moved, writing nothing', async () => {
    const ds = await sheet('Update revision');
    const [a, b] = await f.services.records.create(f.scope, ds.id, [{ Title: 'a' }, { Title: 'b' }]);
    await f.services.records.update(f.scope, ds.id, [{ recordId: b!.id, fields: { Title: 'b2' } }]);
    const before = await cells(ds.id);
    await expect(
      f.services.records.update(f.scope, ds.id, [
        { recordId: a!.id, fields: { Qty: 1 }, expectedRevision: 1 },
        { recordId: b!.id, fields: { Qty: 1 }, expectedRevision: 1 },
      ]),
    ).rejects.toMatchObject({ reason: 'REVISION_MISMATCH', details: { recordId: b!.id, revision: 2 } });
    expect(await cells(ds.id)).toEqual(before);
  });
});
