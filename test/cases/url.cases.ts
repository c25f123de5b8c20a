import { defineCases, NAME } from './field-case.js';

const notString = `field:${NAME} URL field value must be string`;

export const urlCases = defineCases({
  type: 'URL',
  property: undefined,
  accepted: [{ input: undefined, api: undefined }],
  rejected: [{ input: { isRecogURLFlag: true }, message: 'URL not support set property' }],
  writes: [
    {
      value: 'https://a.test',
      stored: { text: 'https://a.test' },
      json: { title: 'https://a.test', text: 'https://a.test', favicon: '' },
      string: 'https://a.test',
    },
    {
      value: { text: 'https://b.test', title: 'B', favicon: 'https://b.test/favicon.ico', extra: 1 },
      stored: { text: 'https://b.test', title: 'B', favicon: 'https://b.test/favicon.ico' },
      json: { title: 'B', text: 'https://b.test', favicon: 'https://b.test/favicon.ico' },
      string: 'https://b.test',
    },
    {
      value: { text: 'https://c.test' },
      stored: { text: 'https://c.test' },
      json: { title: 'https://c.test', text: 'https://c.test', favicon: '' },
      string: 'https://c.test',
    },
    // Empty URL cells read as "" in cellFormat=string.
    { value: '', stored: null, json: undefined, string: '' },
  ],
  failures: [
    { value: 1, message: notString },
    { value: ['https://a.test'], message: notString },
    { value: true, message: notString },
    { value: { title: 'x' }, message: `${NAME} must contain text keys` },
    { value: { text: '' }, message: `${NAME} must contain text keys` },
  ],
  reads: [
    {
      stored: 'https://kept.test',
      json: { title: 'https://kept.test', text: 'https://kept.test', favicon: '' },
      string: 'https://kept.test',
    },
  ],
});
