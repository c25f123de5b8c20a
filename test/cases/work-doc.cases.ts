import { defineCases } from './field-case.js';

const message = "WorkDoc field can't be edited";

export const workDocCases = defineCases({
  type: 'WorkDoc',
  property: undefined,
  accepted: [{ input: undefined, api: undefined }],
  rejected: [{ input: {}, message: 'WorkDoc not support set property' }],
  writes: [],
  // Only null (clearing) is accepted.
  failures: [
    { value: [{ documentId: 'docAAAAAAAAAA', title: 'Plan' }], message },
    { value: 'Plan', message },
    { value: [], message },
  ],
  reads: [
    {
      stored: [
        { documentId: 'docA', title: 'Plan' },
        { documentId: 'docB', title: 'Notes' },
      ],
      json: [
        { documentId: 'docA', title: 'Plan' },
        { documentId: 'docB', title: 'Notes' },
      ],
      string: 'Plan, Notes',
    },
    { stored: [], json: undefined, string: null },
  ],
});
