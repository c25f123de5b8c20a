import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { domainFixture } from '../support/domain.js';

let f: Awaited<ReturnType<typeof domainFixture>>;
beforeAll(async () => {
  f = await domainFixture();
});
afterAll(async () => {
  await f?.inst.dispose();
});

describe('datasheets', () => {
  it('creates a datasheet with a primary field and a default Grid view', async () => {
    const ds = await f.services.datasheets.create(f.scope, {
      name: 'Projects',
      fields: [
        { name: 'Name', type: 'SingleText', property: {} },
        { name: 'Budget', type: 'Currency', property: {} },
      ],
    });
    expect(ds.id).toMatch(/^dst[0-9A-Za-z]{15}$/);
    expect(ds.fields.map((x) => [x.name, x.type, x.isPrimary])).toEqual([
      ['Name', 'SingleText', true],
      ['Budget', 'Currency', false],
    ]);
    expect(ds.views).toEqual([
      expect.objectContaining({ name: 'Grid view', type: 'Grid', columnOrder: ds.fields.map((x) => x.id) }),
    ]);
    const node = await f.inst.db.prisma.node.findUniqueOrThrow({ where: { id: ds.id } });
    expect(node).toMatchObject({ spaceId: f.scope.spaceId, type: 'DATASHEET', name: 'Projects' });
  });

  it('starts with a Title field when no fields are given', async () => {
    const ds = await f.services.datasheets.create(f.scope, { name: 'Blank' });
    expect(ds.fields.map((x) => [x.name, x.type])).toEqual([['Title', 'SingleText']]);
  });

  it.each([
    [{ name: '' }, 'datasheet must contain name keys'],
    [{ name: 'x'.repeat(101) }, "$name's length must not be greater than $100"],
    [
      { name: 'ok', fields: [{ name: 'Pick', type: 'SingleSelect', property: { options: [] } }] },
      "The primary field type can't be SingleSelect",
    ],
    [
      {
        name: 'ok',
        fields: [
          { name: 'A', type: 'SingleText', property: {} },
          { name: 'A', type: 'Text' },
        ],
      },
      'field.name must be unique',
    ],
    [
      {
        name: 'ok',
        fields: [
          { name: 'A', type: 'SingleText', property: {} },
          { name: 'B', type: 'TEXT' },
        ],
      },
      'Invalid value for fields[B].type',
    ],
    [
      {
        name: 'ok',
        fields: [
          { name: 'A', type: 'SingleText', property: {} },
          { name: '', type: 'Text' },
        ],
      },
      'Invalid value for field.name',
    ],
    [{ name: 'ok', fields: [{ name: 'A', type: 'Number' }] }, '"value" must be of type object'],
    [{ name: 'ok', fields: [{ name: 'A', type: 'Text', property: { x: 1 } }] }, 'Text not support set property'],
    [
      { name: 'ok', fields: Array.from({ length: 201 }, (_, i) => ({ name: `f${i}`, type: 'Text' })) },
      'fields must contain no more than 200 elements',
    ],
    [{ name: 'ok', folderId: 'fodNope' }, 'Invalid value for folderId'],
  ])('refuses %#: %s, creating nothing', async (input, message) => {
    const before = await f.inst.db.prisma.node.count();
    await expect(f.services.datasheets.create(f.scope, input)).rejects.toThrow(message);
    expect(await f.inst.db.prisma.node.count()).toBe(before);
  });

  it('renames and deletes with everything in it', async () => {
    const ds = await f.services.datasheets.create(f.scope, { name: 'Temp' });
    await f.services.records.create(f.scope, ds.id, [{ Title: 'x' }]);
    await f.services.datasheets.rename(f.scope, ds.id, 'Renamed');
    expect((await f.services.datasheets.get(f.scope, ds.id)).name).toBe('Renamed');
    await f.services.datasheets.remove(f.scope, ds.id);
    await expect(f.services.datasheets.get(f.scope, ds.id)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      reason: 'DATASHEET_NOT_FOUND',
    });
    expect(await f.inst.db.prisma.record.count({ where: { datasheetId: ds.id } })).toBe(0);
    expect(await f.inst.db.prisma.recordChange.count({ where: { datasheetId: ds.id } })).toBe(0);
  });

  it('is invisible from another space', async () => {
    const ds = await f.services.datasheets.create(f.scope, { name: 'Mine' });
    const other = await f.services.spaces.create({ name: 'Theirs' });
    const theirs = { spaceId: other.id, userId: other.ownerId };
    await expect(f.services.datasheets.get(theirs, ds.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(f.services.records.create(theirs, ds.id, [{ Title: 'x' }])).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(f.services.datasheets.remove(theirs, ds.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('fields', () => {
  it('adds, updates and deletes fields; deleting removes cells and view references', async () => {
    const ds = await f.services.datasheets.create(f.scope, { name: 'Schema' });
    const notes = await f.services.fields.add(f.scope, ds.id, { name: 'Notes', type: 'Text' });
    await expect(f.services.fields.add(f.scope, ds.id, { name: 'Notes', type: 'Text' })).rejects.toThrow(
      'name must be unique',
    );
    await expect(
      f.services.fields.add(f.scope, ds.id, { name: 'N', type: 'Number', property: { precision: 'x' } }),
    ).rejects.toThrow('"precision" must be a number');
    const [row] = await f.services.records.create(f.scope, ds.id, [{ Title: 't', Notes: 'n' }]);
    await f.services.views.update(f.scope, ds.id, ds.views[0]!.id, {
      hiddenFields: [notes.id],
      sort: [{ fieldId: notes.id, desc: true }],
    });
    const renamed = await f.services.fields.update(f.scope, ds.id, notes.id, { name: 'Remarks' });
    expect(renamed.name).toBe('Remarks');
    await f.services.fields.remove(f.scope, ds.id, notes.id);
    const [after] = await f.services.records.get(f.scope, ds.id, [row!.id]);
    expect(after!.cells).not.toHaveProperty(notes.id);
    const schema = await f.services.datasheets.get(f.scope, ds.id);
    expect(schema.views[0]).toMatchObject({ hiddenFields: [], sort: [] });
    expect(schema.views[0]!.columnOrder).not.toContain(notes.id);
  });

  it('checks formula fields: syntax, self references and cycles', async () => {
    const ds = await f.services.datasheets.create(f.scope, {
      name: 'Formulas',
      fields: [
        { name: 'Name', type: 'SingleText', property: {} },
        { name: 'Qty', type: 'Number', property: { precision: 0 } },
      ],
    });
    const a = await f.services.fields.add(f.scope, ds.id, {
      name: 'A',
      type: 'Formula',
      property: { expression: '{Qty} * 2' },
    });
    await expect(
      f.services.fields.add(f.scope, ds.id, {
        name: 'Broken',
        type: 'Formula',
        property: { expression: 'NOPE({Qty})' },
      }),
    ).rejects.toThrow('Invalid value for property.expression: Undefined function: NOPE');
    await expect(
      f.services.fields.update(f.scope, ds.id, a.id, { property: { expression: '{A} + 1' } }),
    ).rejects.toThrow("Invalid value for property.expression: Can't add the current Formula field in a formula");
    const b = await f.services.fields.add(f.scope, ds.id, {
      name: 'B',
      type: 'Formula',
      property: { expression: '{A} + 1' },
    });
    await expect(
      f.services.fields.update(f.scope, ds.id, a.id, { property: { expression: '{B} + {Qty}' } }),
    ).rejects.toThrow('The formula creates a circular reference: A → B → A');
    const schema = await f.services.datasheets.get(f.scope, ds.id);
    const qty = ds.fields.find((x) => x.name === 'Qty')!.id;
    expect(schema.fields.find((x) => x.id === a.id)!.property).toMatchObject({
      expression: `{${qty}} * 2`,
      valueType: 'Number',
      hasError: false,
    });
    expect(schema.fields.map((x) => x.name)).not.toContain('Broken');
    expect(b.name).toBe('B');
  });

  it('refuses to delete the primary field or an unknown one', async () => {
    const ds = await f.services.datasheets.create(f.scope, { name: 'Primary' });
    await expect(f.services.fields.remove(f.scope, ds.id, ds.fields[0]!.id)).rejects.toThrow(
      "The primary field can't be deleted",
    );
    await expect(f.services.fields.remove(f.scope, ds.id, 'fldNope000000')).rejects.toThrow(
      'fieldId "fldNope000000" does not exist',
    );
  });

  it('stops at 200 fields', async () => {
    const ds = await f.services.datasheets.create(f.scope, {
      name: 'Wide',
      fields: Array.from({ length: 200 }, (_, i) => ({
        name: `f${i}`,
        type: i === 0 ? 'SingleText' : 'Text',
        property: i === 0 ? {} : undefined,
      })),
    });
    await expect(f.services.fields.add(f.scope, ds.id, { name: 'one more', type: 'Text' })).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED',
    });
  });

  it('links only into the same space, and a lookup must use a link of its datasheet', async () => {
    const other = await f.services.spaces.create({ name: 'Far away' });
    const far = await f.services.datasheets.create({ spaceId: other.id, userId: other.ownerId }, { name: 'Far' });
    const ds = await f.services.datasheets.create(f.scope, { name: 'Near' });
    await expect(
      f.services.fields.add(f.scope, ds.id, {
        name: 'L',
        type: 'OneWayLink',
        property: { foreignDatasheetId: far.id },
      }),
    ).rejects.toThrow('Invalid value for property');
    await expect(
      f.services.fields.add(f.scope, ds.id, {
        name: 'Look',
        type: 'MagicLookUp',
        property: { relatedLinkFieldId: ds.fields[0]!.id, targetFieldId: 'fldX000000000' },
      }),
    ).rejects.toThrow(`The field ID "${ds.fields[0]!.id}" associated with the lookup field is not a link field.`);
  });

  it('deleting a two-way link with conversion=delete removes its sibling; otherwise the sibling becomes one-way', async () => {
    const a = await f.services.datasheets.create(f.scope, { name: 'A side' });
    const b = await f.services.datasheets.create(f.scope, { name: 'B side' });
    const l1 = await f.services.fields.add(f.scope, a.id, {
      name: 'to B',
      type: 'TwoWayLink',
      property: { foreignDatasheetId: b.id },
    });
    const sibling1 = (l1.property as { brotherFieldId: string }).brotherFieldId;
    await f.services.fields.remove(f.scope, a.id, l1.id);
    const bAfter = await f.services.datasheets.get(f.scope, b.id);
    expect(bAfter.fields.find((x) => x.id === sibling1)).toMatchObject({
      type: 'OneWayLink',
      property: { foreignDatasheetId: a.id },
    });
    const l2 = await f.services.fields.add(f.scope, a.id, {
      name: 'to B again',
      type: 'TwoWayLink',
      property: { foreignDatasheetId: b.id },
    });
    const sibling2 = (l2.property as { brotherFieldId: string }).brotherFieldId;
    await f.services.fields.remove(f.scope, a.id, l2.id, { conversion: 'delete' });
    expect((await f.services.datasheets.get(f.scope, b.id)).fields.find((x) => x.id === sibling2)).toBeUndefined();
  });
});

describe('views', () => {
  it('adds, updates, reorders and deletes views with validated filters and sorts', async () => {
    const ds = await f.services.datasheets.create(f.scope, {
      name: 'Views',
      fields: [
        { name: 'Name', type: 'SingleText', property: {} },
        { name: 'Age', type: 'Number', property: { precision: 0 } },
      ],
    });
    const [name, age] = ds.fields;
    const view = await f.services.views.add(f.scope, ds.id, {
      name: 'Adults',
      filter: {
        conjunction: 'and',
        conditions: [
          { fieldId: age!.id, operator: 'isGreaterEqual', value: 18 },
          { conjunction: 'or', conditions: [{ fieldId: name!.id, operator: 'isNotEmpty' }] },
        ],
      },
      sort: [{ fieldId: age!.id, desc: true }],
    });
    expect(view).toMatchObject({ name: 'Adults', type: 'Grid', sort: [{ fieldId: age!.id, desc: true }] });
    await expect(
      f.services.views.add(f.scope, ds.id, {
        filter: { conjunction: 'and', conditions: [{ fieldId: 'fldNope000000', operator: 'is' }] },
      }),
    ).rejects.toThrow('filter: field "fldNope000000" does not exist');
    await expect(
      f.services.views.add(f.scope, ds.id, { filter: { conjunction: 'xor', conditions: [] } }),
    ).rejects.toThrow(/Invalid value for filter.conjunction/);
    await expect(f.services.views.update(f.scope, ds.id, view.id, { hiddenFields: [name!.id] })).rejects.toThrow(
      "The primary field can't be hidden",
    );
    await f.services.views.reorder(f.scope, ds.id, [view.id, ds.views[0]!.id]);
    expect((await f.services.datasheets.get(f.scope, ds.id)).views.map((v) => v.id)).toEqual([
      view.id,
      ds.views[0]!.id,
    ]);
    await f.services.views.update(f.scope, ds.id, view.id, { filter: null });
    expect((await f.services.datasheets.get(f.scope, ds.id)).views[0]!.filter).toBeNull();
    await f.services.views.remove(f.scope, ds.id, view.id);
    await expect(f.services.views.remove(f.scope, ds.id, ds.views[0]!.id)).rejects.toThrow(
      "A datasheet's last view can't be deleted",
    );
  });

  it('stops at 30 views', async () => {
    const ds = await f.services.datasheets.create(f.scope, { name: 'Many views' });
    for (let i = 0; i < 29; i++) await f.services.views.add(f.scope, ds.id, {});
    await expect(f.services.views.add(f.scope, ds.id, {})).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
  });
});
