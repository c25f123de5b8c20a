import { defineCases, KEY } from './field-case.js';

const greater = "Rating field value can't be greater than 5 (only supports 0, 1, 2, 3, 4, or 5)";

export const ratingCases = defineCases({
  type: 'Rating',
  property: { icon: 'star', max: 5 },
  accepted: [
    { input: { icon: 'star', max: 5 }, api: { icon: '⭐', max: 5 } },
    { input: { icon: 'white_check_mark', max: '10' }, api: { icon: '✅', max: 10 } },
    // The reference's own example: emoji-mart flag slugs.
    { input: { icon: 'flag-ni', max: 2 }, api: { icon: '🇳🇮', max: 2 } },
  ],
  rejected: [
    { input: null, message: '"value" must be of type object' },
    { input: { max: 5 }, message: '"icon" is required' },
    { input: { icon: 'test', max: 5 }, message: 'icon is not Emoji slug' },
    { input: { icon: ':star:', max: 5 }, message: 'icon is not Emoji slug' },
    { input: { icon: '⭐', max: 5 }, message: 'icon is not Emoji slug' },
    { input: { icon: 'star' }, message: '"max" is required' },
    { input: { icon: 'star', max: 11 }, message: '"max" must be less than or equal to 10' },
  ],
  writes: [
    { value: 3, stored: 3, json: 3, string: '3' },
    { value: 0, stored: 0, json: 0, string: '0' },
    { value: 5, stored: 5, json: 5, string: '5' },
    { value: 2.5, stored: 2.5, json: 2.5, string: '2.5' },
    { value: 8, stored: 8, json: 8, string: '8', property: { icon: 'star', max: 10 } },
  ],
  failures: [
    { value: '3', message: `field:${KEY} Rating field value must be a number` },
    { value: 6, message: greater },
    // The bound is `max`, the text stays at 5.
    { value: 4, message: greater, property: { icon: 'star', max: 3 } },
    { value: -1, message: "Rating field value can't be smaller than 0 (only supports 0, 1, 2, 3, 4, or 5)" },
  ],
  reads: [],
});
