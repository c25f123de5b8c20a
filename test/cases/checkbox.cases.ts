import { defineCases, KEY } from './field-case.js';

const message = `field:${KEY} Checkbox field value must be boolean`;

export const checkboxCases = defineCases({
  type: 'Checkbox',
  property: { icon: 'white_check_mark' },
  accepted: [
    { input: { icon: 'white_check_mark' }, api: { icon: '✅' } },
    { input: { icon: 'heart' }, api: { icon: '❤️' } },
  ],
  rejected: [
    { input: null, message: '"value" must be of type object' },
    { input: {}, message: '"icon" is required' },
    { input: { icon: 'tick' }, message: 'icon is not Emoji slug' },
  ],
  writes: [
    { value: true, stored: true, json: true, string: '1' },
    // false is stored as empty; unchecked cells still read "0" as a string.
    { value: false, stored: null, json: undefined, string: '0' },
  ],
  failures: [
    { value: 'true', message },
    { value: 1, message },
    { value: [true], message },
  ],
  reads: [],
});
