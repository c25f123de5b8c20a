import { ALICE, BOB, defineCases, KEY } from './field-case.js';

const alice = { id: ALICE, type: 'Member', name: 'Alice', avatar: 'https://avatars.test/alice.png' };
const bob = { id: BOB, type: 'Member', name: 'Bob' };

export const memberCases = defineCases({
  type: 'Member',
  property: {},
  accepted: [
    { input: {}, api: { options: [], isMulti: true, shouldSendMsg: true, subscription: false } },
    {
      input: { isMulti: false, shouldSendMsg: false, subscription: true },
      api: { options: [], isMulti: false, shouldSendMsg: false, subscription: true },
    },
  ],
  rejected: [
    { input: null, message: '"value" must be of type object' },
    { input: { isMulti: 'no' }, message: '"isMulti" must be a boolean' },
  ],
  writes: [
    {
      value: [{ id: ALICE }],
      stored: [ALICE],
      refs: { kind: 'members', ids: [ALICE] },
      json: [alice],
      string: 'Alice',
    },
    {
      value: [{ unitId: BOB }, { id: ALICE, name: 'ignored' }, { id: ALICE }],
      stored: [BOB, ALICE],
      refs: { kind: 'members', ids: [BOB, ALICE] },
      json: [bob, alice],
      string: 'Bob, Alice',
    },
    // Names cannot be resolved without the unit table; a name that is a user id passes.
    {
      value: [{ name: BOB, type: 'Member' }],
      stored: [BOB],
      refs: { kind: 'members', ids: [BOB] },
      json: [bob],
      string: 'Bob',
    },
    {
      value: [{ id: ALICE }],
      stored: [ALICE],
      refs: { kind: 'members', ids: [ALICE] },
      json: [alice],
      string: 'Alice',
      property: { isMulti: false },
    },
    { value: [], stored: [], json: [], string: null },
  ],
  failures: [
    { value: ALICE, message: `field:${KEY} Member field value must be array` },
    { value: { id: ALICE }, message: `field:${KEY} Member field value must be array` },
    {
      value: [{ id: ALICE }, { id: BOB }],
      message: 'The Member field was set to receive one unit only',
      property: { isMulti: false },
    },
    { value: [{ id: 1 }], message: `field:${KEY} Member ID must be string\n` },
    { value: [{ unitId: 2 }], message: `field:${KEY} Member ID must be string\n` },
    { value: [{ type: 'Member' }], message: "Member name can't be null" },
    { value: [ALICE], message: "Member name can't be null" },
    { value: [{ name: 'Alice' }], message: "Member type can't be null" },
    { value: [{ name: 'Alice', type: 'Member' }], message: 'The unit specified by the unit Name does not exist' },
    { value: [{ name: ALICE, type: 'Team' }], message: 'The unit specified by the unit Name does not exist' },
  ],
  reads: [{ stored: ['usrGhost000001'], json: [], string: null }],
});
