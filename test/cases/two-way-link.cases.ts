import { defineCases, KEY } from './field-case.js';

const foreign = 'dstForeign0000001';

export const twoWayLinkCases = defineCases({
  type: 'TwoWayLink',
  property: { foreignDatasheetId: foreign },
  accepted: [
    // Before the datasheet service creates the sibling field there is no brotherFieldId.
    { input: { foreignDatasheetId: foreign }, api: { foreignDatasheetId: foreign } },
    { input: { foreignDatasheetId: foreign, brotherFieldId: 'fldClient000001' }, api: { foreignDatasheetId: foreign } },
    {
      input: { foreignDatasheetId: foreign, limitSingleRecord: false },
      existing: { foreignDatasheetId: foreign, brotherFieldId: 'fldBrother00001' },
      api: { foreignDatasheetId: foreign, brotherFieldId: 'fldBrother00001', limitSingleRecord: false },
    },
  ],
  rejected: [
    { input: {}, message: '"foreignDatasheetId" is required' },
    {
      input: { foreignDatasheetId: 'fodX' },
      message: '"foreignDatasheetId" with value "fodX" fails to match the datasheetId pattern',
    },
  ],
  writes: [
    {
      value: ['recPear', 'recApple'],
      stored: ['recPear', 'recApple'],
      refs: { kind: 'records', datasheetId: foreign, ids: ['recPear', 'recApple'] },
      json: ['recPear', 'recApple'],
      string: 'Pear, Apple',
    },
  ],
  failures: [
    { value: { 0: 'recApple' }, message: `field:${KEY} Link field value must be array` },
    { value: [], message: `field:${KEY} recordId value can't be empty array or null` },
    {
      value: ['recApple', 'recPear'],
      message: `field:${KEY} The Link field was set to receive one recordId only`,
      property: { foreignDatasheetId: foreign, limitSingleRecord: true },
    },
  ],
  reads: [],
});
