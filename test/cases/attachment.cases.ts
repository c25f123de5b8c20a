import { expect } from 'vitest';
import { defineCases, fileUrl } from './field-case.js';

const itemId = expect.stringMatching(/^atc[0-9A-Za-z]{10}$/);

export const attachmentCases = defineCases({
  type: 'Attachment',
  property: undefined,
  accepted: [{ input: null, api: undefined }],
  rejected: [{ input: {}, message: 'Attachment not support set property' }],
  writes: [
    {
      value: [{ token: 'space/a.png', name: 'a.png', size: 999 }],
      stored: [{ id: itemId, token: 'space/a.png', name: 'a.png' }],
      refs: { kind: 'attachments', tokens: ['space/a.png'] },
      json: [{ id: itemId, name: 'a.png', token: 'space/a.png', url: fileUrl('space/a.png') }],
      string: `a.png (${fileUrl('space/a.png')})`,
    },
    {
      value: [
        { token: 't1', name: 'one.txt' },
        { token: 't2', name: 'two.txt' },
      ],
      stored: [
        { id: itemId, token: 't1', name: 'one.txt' },
        { id: itemId, token: 't2', name: 'two.txt' },
      ],
      refs: { kind: 'attachments', tokens: ['t1', 't2'] },
      json: [
        { id: itemId, name: 'one.txt', token: 't1', url: fileUrl('t1') },
        { id: itemId, name: 'two.txt', token: 't2', url: fileUrl('t2') },
      ],
      string: `one.txt (${fileUrl('t1')}), two.txt (${fileUrl('t2')})`,
    },
    { value: [], stored: [], json: [], string: null },
  ],
  failures: [
    { value: 'a.png', message: 'Attachment type must be array' },
    { value: { token: 't', name: 'n' }, message: 'Attachment type must be array' },
    { value: [{ name: 'a.png' }], message: "Attachment token can't be null" },
    { value: [{ token: '', name: 'a.png' }], message: "Attachment token can't be null" },
    { value: [null], message: "Attachment token can't be null" },
    { value: [{ token: 't' }], message: "Attachment name can't be null" },
    { value: [{ token: 1, name: 'a.png' }], message: 'Attachment token must be string' },
    { value: [{ token: 't', name: ['a'] }], message: 'Attachment name must be string' },
  ],
  reads: [
    // Items as the record service enriches them from the asset table.
    {
      stored: [
        {
          id: 'atcAAAAAAAAAA',
          token: 'doc.pdf',
          name: 'doc.pdf',
          size: 10,
          mimeType: 'application/pdf',
          preview: 'doc.png',
        },
      ],
      json: [
        {
          id: 'atcAAAAAAAAAA',
          name: 'doc.pdf',
          size: 10,
          mimeType: 'application/pdf',
          token: 'doc.pdf',
          preview: 'doc.png',
          url: fileUrl('doc.pdf'),
        },
      ],
      string: `doc.pdf (${fileUrl('doc.pdf')})`,
    },
    {
      stored: [
        { id: 'atcBBBBBBBBBB', token: 'p.png', name: 'p.png', size: 5, mimeType: 'image/png', width: 4, height: 3 },
      ],
      json: [
        {
          id: 'atcBBBBBBBBBB',
          name: 'p.png',
          size: 5,
          mimeType: 'image/png',
          token: 'p.png',
          width: 4,
          height: 3,
          url: fileUrl('p.png'),
        },
      ],
      string: `p.png (${fileUrl('p.png')})`,
    },
  ],
});
