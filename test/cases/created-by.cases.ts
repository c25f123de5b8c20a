import { ALICE, defineCases } from './field-case.js';

export const createdByCases = defineCases({
  type: 'CreatedBy',
  property: undefined,
  accepted: [{ input: undefined, api: { options: [] } }],
  rejected: [{ input: {}, message: 'CreatedBy not support set property' }],
  writes: [],
  failures: [{ value: [{ id: ALICE }], message: "Created By field can't be edited" }],
  // The record's creator: one object, not an array.
  reads: [
    {
      stored: undefined,
      json: { id: ALICE, name: 'Alice', avatar: 'https://avatars.test/alice.png' },
      string: 'Alice',
    },
    { stored: undefined, json: undefined, string: null, record: { createdBy: null } },
    { stored: undefined, json: undefined, string: null, record: { createdBy: 'usrGhost000001' } },
  ],
});
