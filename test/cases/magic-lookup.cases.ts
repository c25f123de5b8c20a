import { defineCases, LINK_FIELD } from './field-case.js';

const target = 'fldTarget000001';
const base = { relatedLinkFieldId: LINK_FIELD, targetFieldId: target };
const ROLLUPS =
  'VALUES, AVERAGE, COUNT, COUNTA, COUNTALL, SUM, MIN, MAX, AND, OR, XOR, CONCATENATE, ARRAYJOIN, ARRAYUNIQUE, ARRAYCOMPACT';

export const magicLookUpCases = defineCases({
  type: 'MagicLookUp',
  property: base,
  accepted: [
    { input: base, api: { ...base, rollupFunction: 'VALUES', valueType: 'Array' } },
    {
      input: { ...base, rollupFunction: 'SUM', format: { precision: 1, symbol: '€' } },
      api: {
        ...base,
        rollupFunction: 'SUM',
        valueType: 'Number',
        format: { type: 'Currency', format: { precision: 1, symbol: '€' } },
      },
    },
    {
      input: { ...base, rollupFunction: 'COUNTA' },
      api: {
        ...base,
        rollupFunction: 'COUNTA',
        valueType: 'Number',
        format: { type: 'Number', format: { precision: 0 } },
      },
    },
    {
      input: { ...base, rollupFunction: 'ARRAYJOIN' },
      api: { ...base, rollupFunction: 'ARRAYJOIN', valueType: 'String' },
    },
    { input: { ...base, rollupFunction: 'AND' }, api: { ...base, rollupFunction: 'AND', valueType: 'Boolean' } },
    {
      input: {
        ...base,
        enableFilterSort: true,
        filterInfo: { conjunction: 'and', conditions: [{ fieldId: target, operator: 'isNotEmpty' }] },
        sortInfo: { rules: [{ fieldId: target, desc: true }] },
        lookUpLimit: 'FIRST',
      },
      api: {
        ...base,
        rollupFunction: 'VALUES',
        enableFilterSort: true,
        sortInfo: { rules: [{ fieldId: target, desc: true }] },
        lookUpLimit: 'FIRST',
        valueType: 'Array',
        filterInfo: { conjunction: 'and', conditions: [{ fieldId: target, operator: 'isNotEmpty' }] },
      },
    },
  ],
  rejected: [
    { input: null, message: '"value" must be of type object' },
    { input: {}, message: '"relatedLinkFieldId" is required' },
    { input: { relatedLinkFieldId: LINK_FIELD }, message: '"targetFieldId" is required' },
    {
      input: { ...base, relatedLinkFieldId: 'link' },
      message: '"relatedLinkFieldId" with value "link" fails to match the fieldId pattern',
    },
    {
      input: { ...base, relatedLinkFieldId: 'fldElsewhere001' },
      message: 'The link field ID "fldElsewhere001" associated with the lookup field does not exist.',
    },
    { input: { ...base, rollupFunction: 'MEDIAN' }, message: `"rollupFunction" must be one of [${ROLLUPS}]` },
    { input: { ...base, lookUpLimit: 'SOME' }, message: '"lookUpLimit" must be one of [ALL, FIRST]' },
    { input: { ...base, sortInfo: { rules: [] } }, message: '"sortInfo.rules" must contain 1 items' },
    {
      input: { ...base, filterInfo: { conjunction: 'and', conditions: [{ fieldId: target, operator: 'startsWith' }] } },
      message:
        '"filterInfo.conditions[0].operator" must be one of [is, isNot, contains, doesNotContain, isEmpty, isNotEmpty, isGreater, isGreaterEqual, isLess, isLessEqual, isRepeat]',
    },
    { input: { ...base, format: { precision: 11 } }, message: '"format.precision" must be less than or equal to 10' },
  ],
  writes: [],
  failures: [
    { value: ['x'], message: "Lookup field can't be edited" },
    { value: 'x', message: "Lookup field can't be edited" },
  ],
  // Values come from the lookup engine; whatever it stored reads back.
  reads: [
    { stored: ['Apple', 'Pear'], json: ['Apple', 'Pear'], string: 'Apple, Pear' },
    { stored: [[1, 2], null, 3], json: [[1, 2], null, 3], string: '1, 2, 3' },
    { stored: 42, json: 42, string: '42' },
    { stored: null, json: undefined, string: null },
  ],
});
