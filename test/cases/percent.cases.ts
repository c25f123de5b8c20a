import { defineCases, KEY } from './field-case.js';

const message = `field:${KEY} Percent field value must be a number`;

export const percentCases = defineCases({
  type: 'Percent',
  property: { precision: 0 },
  accepted: [
    { input: { precision: 0 }, api: { precision: 0 } },
    { input: { precision: '2', defaultValue: '0.1' }, api: { defaultValue: '0.1', precision: 2 } },
  ],
  rejected: [
    { input: null, message: '"value" must be of type object' },
    { input: {}, message: '"precision" is required' },
    { input: { precision: 11 }, message: '"precision" must be less than or equal to 10' },
  ],
  writes: [
    { value: 0.5, stored: 0.5, json: 0.5, string: '50%' },
    { value: 0.575, stored: 0.575, json: 0.575, string: '58%' },
    { value: 0.125, stored: 0.125, json: 0.125, string: '12.5%', property: { precision: 1 } },
    { value: -0.07, stored: -0.07, json: -0.07, string: '-7.00%', property: { precision: 2 } },
  ],
  failures: [
    { value: '50%', message },
    { value: true, message },
  ],
  reads: [],
  defaults: [{ property: { precision: 0, defaultValue: '0.25' }, value: 0.25 }],
});
