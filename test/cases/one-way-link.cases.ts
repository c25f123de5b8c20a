import { defineCases, KEY } from './field-case.js';

const foreign = 'dstForeign0000001';

export const oneWayLinkCases = defineCases({
  type: 'OneWayLink',
  property: { foreignDatasheetId: foreign },
  accepted: [
    { input: { foreignDatasheetId: foreign }, api: { foreignDatasheetId: foreign } },
    {
      input: {
        foreignDatasheetId: foreign,
        limitToViewId: 'viwAAAAAAAAAA',
        limitSingleRecord: true,
        conversion: 'KeepText',
      },
      api: { foreignDatasheetId: foreign, limitToViewId: 'viwAAAAAAAAAA', limitSingleRecord: true },
    },
    { input: { foreignDatasheetId: foreign, brotherFieldId: 'fldBrother00001' }, api: { foreignDatasheetId: foreign } },
  ],
  rejected: [
    { input: null, message: '"value" must be of type object' },
    { input: {}, message: '"foreignDatasheetId" is required' },
    { input: { foreignDatasheetId: 5 }, message: '"foreignDatasheetId" must be a string' },
    {
      input: { foreignDatasheetId: 'abc' },
      message: '"foreignDatasheetId" with value "abc" fails to match the datasheetId pattern',
    },
    {
      input: { foreignDatasheetId: foreign, limitToViewId: 'x' },
      message: '"limitToViewId" with value "x" fails to match the viewId pattern',
    },
    {
      input: { foreignDatasheetId: foreign, limitSingleRecord: 'one' },
      message: '"limitSingleRecord" must be a boolean',
    },
  ],
  writes: [
    {
      value: ['recApple', 'recBlank', 'recApple'],
      stored: ['recApple', 'recBlank'],
      refs: { kind: 'records', datasheetId: foreign, ids: ['recApple', 'recBlank'] },
      json: ['recApple', 'recBlank'],
      string: 'Apple, Unnamed record',
    },
    {
      value: ['recPear'],
      stored: ['recPear'],
      refs: { kind: 'records', datasheetId: foreign, ids: ['recPear'] },
      json: ['recPear'],
      string: 'Pear',
      property: { foreignDatasheetId: foreign, limitSingleRecord: true },
    },
  ],
  failures: [
    { value: 'recApple', message: `field:${KEY} Link field value must be array` },
    { value: [1], message: `field:${KEY} Link field value must be array` },
    { value: [], message: `field:${KEY} recordId value can't be empty array or null` },
    {
      value: ['recApple', 'recPear'],
      message: `field:${KEY} The Link field was set to receive one recordId only`,
      property: { foreignDatasheetId: foreign, limitSingleRecord: true },
    },
  ],
  reads: [{ stored: ['recGone'], json: ['recGone'], string: 'Unnamed record' }],
});
