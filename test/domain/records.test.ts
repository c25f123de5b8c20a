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

async function sheet(name: string, fields?: { name: string; type: string; property?: unknown }[]) {
  return f.services.datasheets.create(f.scope, {
    name,
    fields: fields ?? [
      { name: 'Title', type: 'SingleText', property: {} },
      { name: 'Qty', type: 'Number', property: { precision: 0, defaultValue: '1' } },
      { name: 'Status', type: 'SingleSelect', property: { options: [{ name: 'Todo' }] } },
      { name: 'No', type: 'AutoNumber' },
      { name: 'Done', type: 'Checkbox', property: { icon: 'white_check_mark' } },
    ],
  });
}

const recordEvents = () => f.events.filter((e): e is RecordsChangedEvent => e.type === 'records.changed');
const count = (datasheetId: string) => f.inst.db.prisma.record.count({ where: { datasheetId } });

describe('create', () => {
  it('creates with defaults, auto numbers, new select options, authors and one event after commit', async () => {
    const ds = await sheet('Tasks');
    const created = await f.services.records.create(f.scope, ds.id, [
      { Title: 'a', Status: 'Doing' },
      { Title: 'b', Qty: 5, Status: 'Todo' },
    ]);
    const views = await f.services.records.render(f.scope, ds.id, created);
    expect(views.map((v) => v.fields)).toEqual([
      { Title: 'a', Qty: 1, Status: 'Doing', No: 1 },
      { Title: 'b', Qty: 5, Status: 'Todo', No: 2 },
    ]);
    const status = (await f.services.datasheets.get(f.scope, ds.id)).fields.find((x) => x.name === 'Status')!;
    expect((status.property as { options: { name: string }[] }).options.map((o) => o.name)).toEqual(['Todo', 'Doing']);
    expect(created.every((r) => r.createdBy === f.scope.userId && r.revision === 1)).toBe(true);
    const [event] = recordEvents();
    expect(event).toMatchObject({
      datasheetId: ds.id,
      actorId: f.scope.userId,
      created: [{ recordId: created[0]!.id }, { recordId: created[1]!.id }],
    });
    expect(recordEvents()).toHaveLength(1);
  });

  it('writes nothing when the last of 1,000 records is invalid, and emits nothing', async () => {
    const ds = await sheet('Atomic');
    const batch = Array.from({ length: 1000 }, (_, i) => ({ Title: `r${i}`, Qty: i }));
    batch[999] = { Title: 'bad', Qty: 'many' as unknown as number };
    await expect(f.services.records.create(f.scope, ds.id, batch)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'field:Qty Number field value must be a number',
      details: { recordIndex: 999 },
    });
    expect(await count(ds.id)).toBe(0);
    expect(await f.inst.db.prisma.recordChange.count({ where: { datasheetId: ds.id } })).toBe(0);
    expect(recordEvents()).toEqual([]);
  });

  it('rejects read-only fields, even null, and records with no known key', async () => {
    const ds = await sheet('ReadOnly');
    await expect(f.services.records.create(f.scope, ds.id, [{ Title: 'x', No: null }])).rejects.toThrow(
      "Autonumber field can't be edited",
    );
    await expect(f.services.records.create(f.scope, ds.id, [{ Nope: 1 }])).rejects.toThrow(
      'The format of the fields parameter value is wrong',
    );
    expect(await count(ds.id)).toBe(0);
  });

  it('accepts field ids as keys with fieldKey=id', async () => {
    const ds = await sheet('ById');
    const title = ds.fields[0]!.id;
    const [row] = await f.services.records.create(f.scope, ds.id, [{ [title]: 'by id' }], { fieldKey: 'id' });
    expect(row!.cells[title]).toBe('by id');
  });
});

describe('row caps', () => {
  it('refuses a batch that would cross the cap and writes nothing', async () => {
    const ds = await sheet('Capped');
    await f.inst.db.prisma.datasheet.update({ where: { id: ds.id }, data: { rowCap: 5 } });
    await f.services.records.create(f.scope, ds.id, [{ Title: '1' }, { Title: '2' }, { Title: '3' }]);
    await expect(
      f.services.records.create(f.scope, ds.id, [{ Title: '4' }, { Title: '5' }, { Title: '6' }]),
    ).rejects.toMatchObject({
      code: 'ROW_CAP_EXCEEDED',
      message: 'the usage of this function exceed the 5 records limit of beta version',
    });
    expect(await count(ds.id)).toBe(3);
    await f.services.records.create(f.scope, ds.id, [{ Title: '4' }, { Title: '5' }]);
    expect(await count(ds.id)).toBe(5);
  });

  it('lets no two concurrent batches cross it together', async () => {
    const ds = await sheet('Race');
    await f.inst.db.prisma.datasheet.update({ where: { id: ds.id }, data: { rowCap: 10 } });
    const batch = Array.from({ length: 6 }, (_, i) => ({ Title: `c${i}` }));
    const results = await Promise.allSettled([
      f.services.records.create(f.scope, ds.id, batch),
      f.services.records.create(f.scope, ds.id, batch),
      f.services.records.create(f.scope, ds.id, batch),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await count(ds.id)).toBe(6);
  });

  it('follows the space override and the plan', async () => {
    const space = await f.services.spaces.create({ name: 'Small', plan: 'FREE' });
    await f.inst.db.prisma.space.update({ where: { id: space.id }, data: { rowCap: 2 } });
    const scope = { spaceId: space.id, userId: space.ownerId };
    const ds = await f.services.datasheets.create(scope, { name: 'S' });
    await expect(
      f.services.records.create(scope, ds.id, [{ Title: 'a' }, { Title: 'b' }, { Title: 'c' }]),
    ).rejects.toMatchObject({ code: 'ROW_CAP_EXCEEDED' });
  });
});

describe('update', () => {
  it('merges partially, clears with null, keeps untouched cells, bumps revisions and records history', async () => {
    const ds = await sheet('Updates');
    const [row] = await f.services.records.create(f.scope, ds.id, [{ Title: 'first', Qty: 2, Done: true }]);
    const [updated] = await f.services.records.update(f.scope, ds.id, [
      { recordId: row!.id, fields: { Title: 'second', Done: null } },
    ]);
    expect(updated!.revision).toBe(2);
    const [view] = await f.services.records.render(f.scope, ds.id, [updated!]);
    expect(view!.fields).toEqual({ Title: 'second', Qty: 2, No: 1 });
    const history = await f.services.records.history(f.scope, row!.id);
    const updates = history.entries.filter((e) => e.kind === 'updated').map((e) => [e.oldValue, e.newValue]);
    expect(updates).toHaveLength(2);
    expect(updates).toEqual(
      expect.arrayContaining([
        ['first', 'second'],
        [true, null],
      ]),
    );
    expect(history.entries.slice(0, 2).every((e) => e.kind === 'updated' && e.revision === 2)).toBe(true);
    expect(
      history.entries
        .filter((e) => e.kind === 'created')
        .map((e) => e.newValue)
        .sort(),
    ).toEqual([1, 2, 'first', true].sort());
    const [event] = recordEvents().slice(-1);
    expect(event!.updated[0]!.changes).toEqual(
      expect.arrayContaining([
        { fieldId: ds.fields.find((x) => x.name === 'Title')!.id, oldValue: 'first', newValue: 'second' },
        { fieldId: ds.fields.find((x) => x.name === 'Done')!.id, oldValue: true, newValue: null },
      ]),
    );
  });

  it('does not bump a record whose values did not change', async () => {
    const ds = await sheet('NoOp');
    const [row] = await f.services.records.create(f.scope, ds.id, [{ Title: 'same' }]);
    f.events.length = 0;
    const [after] = await f.services.records.update(f.scope, ds.id, [{ recordId: row!.id, fields: { Title: 'same' } }]);
    expect(after!.revision).toBe(1);
    expect(recordEvents()).toEqual([]);
  });

  it('is conditional on an expected revision', async () => {
    const ds = await sheet('Optimistic');
    const [row] = await f.services.records.create(f.scope, ds.id, [{ Title: 'v1' }]);
    await f.services.records.update(f.scope, ds.id, [
      { recordId: row!.id, fields: { Title: 'v2' }, expectedRevision: 1 },
    ]);
    await expect(
      f.services.records.update(f.scope, ds.id, [{ recordId: row!.id, fields: { Title: 'v3' }, expectedRevision: 1 }]),
    ).rejects.toMatchObject({ code: 'CONFLICT', details: { revision: 2, expectedRevision: 1 } });
    const [current] = await f.services.records.get(f.scope, ds.id, [row!.id]);
    expect(current!.cells[ds.fields[0]!.id]).toBe('v2');
  });

  it('fails the whole batch on an unknown record id', async () => {
    const ds = await sheet('Missing');
    const [row] = await f.services.records.create(f.scope, ds.id, [{ Title: 'keep' }]);
    await expect(
      f.services.records.update(f.scope, ds.id, [
        { recordId: row!.id, fields: { Title: 'changed' } },
        { recordId: 'recNope000000', fields: { Title: 'x' } },
      ]),
    ).rejects.toThrow('The record specified by the recordId does not exist');
    const [current] = await f.services.records.get(f.scope, ds.id, [row!.id]);
    expect(current!.cells[ds.fields[0]!.id]).toBe('keep');
  });
});

describe('delete', () => {
  it('deletes atomically, keeps history, and refuses unknown ids', async () => {
    const ds = await sheet('Deletes');
    const rows = await f.services.records.create(f.scope, ds.id, [{ Title: 'a' }, { Title: 'b' }]);
    await expect(f.services.records.delete(f.scope, ds.id, [rows[0]!.id, 'recNope000000'])).rejects.toThrow(
      'The record specified by the recordId does not exist',
    );
    expect(await count(ds.id)).toBe(2);
    f.events.length = 0;
    await f.services.records.delete(f.scope, ds.id, [rows[0]!.id, rows[0]!.id]);
    expect(await count(ds.id)).toBe(1);
    expect(recordEvents()[0]!.deleted).toEqual([{ recordId: rows[0]!.id, cells: rows[0]!.cells }]);
    const history = await f.services.records.history(f.scope, rows[0]!.id);
    const title = ds.fields.find((x) => x.name === 'Title')!.id;
    expect(history.entries.filter((e) => e.kind === 'deleted').find((e) => e.fieldId === title)).toMatchObject({
      oldValue: 'a',
      newValue: null,
    });
    expect(history.entries[0]!.kind).toBe('deleted');
  });
});

describe('history', () => {
  it('pages newest first', async () => {
    const ds = await sheet('Paged');
    const [row] = await f.services.records.create(f.scope, ds.id, [{ Title: 'v0' }]);
    for (let i = 1; i <= 5; i++)
      await f.services.records.update(f.scope, ds.id, [{ recordId: row!.id, fields: { Title: `v${i}` } }]);
    const first = await f.services.records.history(f.scope, row!.id, { limit: 2 });
    expect(first.entries.map((e) => e.newValue)).toEqual(['v5', 'v4']);
    const second = await f.services.records.history(f.scope, row!.id, { limit: 2, before: first.nextCursor });
    expect(second.entries.map((e) => e.newValue)).toEqual(['v3', 'v2']);
    expect(second.entries.map((e) => e.revision)).toEqual([4, 3]);
  });

  it('does not show a record of another space', async () => {
    const ds = await sheet('Private');
    const [row] = await f.services.records.create(f.scope, ds.id, [{ Title: 'secret' }]);
    const other = await f.services.spaces.create({ name: 'Other' });
    const history = await f.services.records.history({ spaceId: other.id, userId: other.ownerId }, row!.id);
    expect(history.entries).toEqual([]);
  });
});

describe('schemas cached across writes', () => {
  it('sees a field added since the last write, and renders the select options a batch added', async () => {
    const ds = await sheet('Cached', [
      { name: 'Title', type: 'SingleText', property: {} },
      { name: 'Tag', type: 'SingleSelect', property: { options: [] } },
    ]);
    await f.services.records.create(f.scope, ds.id, [{ Title: 'warm' }]);
    // Not through the record service: its cache learns of the change only from the schema revision it locks.
    await f.services.fields.add(f.scope, ds.id, { name: 'Extra', type: 'SingleText', property: {} });
    const [made] = await f.services.records.createRendered(f.scope, ds.id, [{ Title: 'b', Extra: 'x', Tag: 'fresh' }]);
    expect(made!.fields).toEqual({ Title: 'b', Extra: 'x', Tag: 'fresh' });
    const [updated] = await f.services.records.updateRendered(f.scope, ds.id, [
      { recordId: made!.recordId, fields: { Tag: 'fresher' } },
    ]);
    expect(updated!.fields).toEqual({ Title: 'b', Extra: 'x', Tag: 'fresher' });
    await f.services.records.create(f.scope, ds.id, [{ Title: 'c', Tag: 'fresh' }]);
    const tag = (await f.services.datasheets.get(f.scope, ds.id)).fields.find((x) => x.name === 'Tag')!;
    expect((tag.property as { options: { name: string }[] }).options.map((o) => o.name)).toEqual(['fresh', 'fresher']);
    await f.services.fields.remove(
      f.scope,
      ds.id,
      (await f.services.datasheets.get(f.scope, ds.id)).fields.find((x) => x.name === 'Extra')!.id,
    );
    await expect(f.services.records.create(f.scope, ds.id, [{ Extra: 'gone' }])).rejects.toThrow();
  });
});

describe('rollback', () => {
  it('a batch failing after validation (missing linked record) rolls back new select options and emits nothing', async () => {
    const people = await sheet('Rollback people', [{ name: 'Name', type: 'SingleText', property: {} }]);
    const ds = await sheet('Rollback', [
      { name: 'Title', type: 'SingleText', property: {} },
      { name: 'Tag', type: 'SingleSelect', property: { options: [] } },
      { name: 'Who', type: 'OneWayLink', property: { foreignDatasheetId: people.id } },
    ]);
    f.events.length = 0;
    await expect(
      f.services.records.create(f.scope, ds.id, [
        { Title: 'a', Tag: 'brand new' },
        { Title: 'b', Who: ['recGone0000000'] },
      ]),
    ).rejects.toThrow('The linked field specifies a record (recGone0000000) that does not exist');
    const tag = (await f.services.datasheets.get(f.scope, ds.id)).fields.find((x) => x.name === 'Tag')!;
    expect((tag.property as { options: unknown[] }).options).toEqual([]);
    expect(await count(ds.id)).toBe(0);
    expect(f.events).toEqual([]);
    const revision = (await f.services.datasheets.get(f.scope, ds.id)).revision;
    await f.services.records.create(f.scope, ds.id, [{ Title: 'ok' }]);
    expect((await f.services.datasheets.get(f.scope, ds.id)).revision).toBe(revision + 1);
  });

  it('a failing event subscriber does not undo or break a committed write', async () => {
    const ds = await sheet('Listener');
    const unsubscribe = f.services.events.subscribe(() => {
      throw new Error('subscriber bug');
    });
    try {
      const [row] = await f.services.records.create(f.scope, ds.id, [{ Title: 'kept' }]);
      expect(await f.services.records.get(f.scope, ds.id, [row!.id])).toHaveLength(1);
      expect(recordEvents()).toHaveLength(1);
    } finally {
      unsubscribe();
    }
  });
});

describe('links', () => {
  it('validates linked ids against the linked datasheet', async () => {
    const people = await sheet('People', [{ name: 'Name', type: 'SingleText', property: {} }]);
    const tasks = await sheet('Linked tasks', [
      { name: 'Title', type: 'SingleText', property: {} },
      { name: 'Owner', type: 'OneWayLink', property: { foreignDatasheetId: people.id } },
    ]);
    const [ann] = await f.services.records.create(f.scope, people.id, [{ Name: 'Ann' }]);
    await expect(
      f.services.records.create(f.scope, tasks.id, [{ Title: 't', Owner: ['recNope000000'] }]),
    ).rejects.toThrow('The linked field specifies a record (recNope000000) that does not exist');
    const [task] = await f.services.records.create(f.scope, tasks.id, [{ Title: 't', Owner: [ann!.id] }]);
    const [view] = await f.services.records.render(f.scope, tasks.id, [task!], { cellFormat: 'string' });
    expect(view!.fields.Owner).toBe('Ann');
  });

  it('keeps two-way links symmetric on create, update and delete', async () => {
    const projects = await sheet('Projects', [{ name: 'Name', type: 'SingleText', property: {} }]);
    const tasks = await sheet('TwoWay tasks', [
      { name: 'Title', type: 'SingleText', property: {} },
      { name: 'Project', type: 'TwoWayLink', property: { foreignDatasheetId: projects.id } },
    ]);
    const link = tasks.fields.find((x) => x.name === 'Project')!;
    const brotherId = (link.property as { brotherFieldId: string }).brotherFieldId;
    const brother = (await f.services.datasheets.get(f.scope, projects.id)).fields.find((x) => x.id === brotherId)!;
    expect(brother).toMatchObject({
      name: 'TwoWay tasks',
      type: 'TwoWayLink',
      property: { foreignDatasheetId: tasks.id, brotherFieldId: link.id },
    });

    const [p1, p2] = await f.services.records.create(f.scope, projects.id, [{ Name: 'P1' }, { Name: 'P2' }]);
    const [t1, t2] = await f.services.records.create(f.scope, tasks.id, [
      { Title: 't1', Project: [p1!.id] },
      { Title: 't2', Project: [p1!.id, p2!.id] },
    ]);
    const brotherCells = async () =>
      Object.fromEntries(
        (await f.services.records.get(f.scope, projects.id)).map((r) => [r.id, r.cells[brotherId] ?? null]),
      );
    expect(await brotherCells()).toEqual({ [p1!.id]: [t1!.id, t2!.id], [p2!.id]: [t2!.id] });

    await f.services.records.update(f.scope, tasks.id, [{ recordId: t2!.id, fields: { Project: [p2!.id] } }]);
    expect(await brotherCells()).toEqual({ [p1!.id]: [t1!.id], [p2!.id]: [t2!.id] });

    await f.services.records.delete(f.scope, tasks.id, [t1!.id]);
    expect(await brotherCells()).toEqual({ [p1!.id]: null, [p2!.id]: [t2!.id] });

    // And from the other side.
    await f.services.records.update(f.scope, projects.id, [{ recordId: p1!.id, fields: { [brother.name]: [t2!.id] } }]);
    const [t2now] = await f.services.records.get(f.scope, tasks.id, [t2!.id]);
    expect(t2now!.cells[link.id]).toEqual([p2!.id, p1!.id]);
  });
});

describe('move', () => {
  it('moves records with their ids and history, mapping cells by name and type, reporting what was dropped', async () => {
    const from = await sheet('Inbox', [
      { name: 'Title', type: 'SingleText', property: {} },
      { name: 'Tag', type: 'SingleSelect', property: { options: [{ name: 'red' }] } },
      { name: 'Notes', type: 'Text' },
      { name: 'Score', type: 'Number', property: { precision: 0 } },
    ]);
    const to = await sheet('Archive', [
      { name: 'Title', type: 'SingleText', property: {} },
      { name: 'Tag', type: 'SingleSelect', property: { options: [{ name: 'blue' }] } },
      { name: 'Score', type: 'SingleText', property: {} },
    ]);
    const [row] = await f.services.records.create(f.scope, from.id, [{ Title: 'm', Tag: 'red', Notes: 'n', Score: 3 }]);
    const result = await f.services.records.move(f.scope, from.id, to.id, [row!.id]);
    expect(result.dropped.map((d) => [d.fieldName, d.reason])).toEqual([
      ['Notes', 'no field of that name in the target datasheet'],
      ['Score', 'the target field is a SingleText field'],
    ]);
    expect(await count(from.id)).toBe(0);
    const [moved] = await f.services.records.get(f.scope, to.id, [row!.id]);
    const [view] = await f.services.records.render(f.scope, to.id, [moved!]);
    expect(view!.fields).toEqual({ Title: 'm', Tag: 'red' });
    const history = await f.services.records.history(f.scope, row!.id);
    expect(history.entries[0]).toMatchObject({ kind: 'moved', fromDatasheetId: from.id, toDatasheetId: to.id });
  });
});

describe('attachments in cells', () => {
  it('accepts only tokens of attachments of the same space, and fills in their metadata', async () => {
    const ds = await sheet('Files', [
      { name: 'Title', type: 'SingleText', property: {} },
      { name: 'Files', type: 'Attachment' },
    ]);
    const file = await f.services.attachments.upload({
      spaceId: f.scope.spaceId,
      userId: f.scope.userId,
      name: 'a.txt',
      data: Buffer.from('hello'),
    });
    const other = await f.services.spaces.create({ name: 'Elsewhere' });
    const foreign = await f.services.attachments.upload({
      spaceId: other.id,
      name: 'b.txt',
      data: Buffer.from('other'),
    });
    await expect(
      f.services.records.create(f.scope, ds.id, [{ Title: 'x', Files: [{ token: foreign.token, name: 'b.txt' }] }]),
    ).rejects.toThrow('The attachment specified by the token does not exist');
    const [row] = await f.services.records.create(f.scope, ds.id, [
      { Title: 'x', Files: [{ token: file.token, name: 'renamed.txt' }] },
    ]);
    const [view] = await f.services.records.render(f.scope, ds.id, [row!]);
    expect(view!.fields.Files).toEqual([
      expect.objectContaining({
        token: file.token,
        name: 'renamed.txt',
        size: 5,
        mimeType: 'text/plain',
        url: file.url,
      }),
    ]);
  });
});
