import { defineCases } from './field-case.js';

const defaults = {
  text: 'Click to start',
  style: { type: 'Background', color: { name: 'deepPurple_5', value: '#B0A4F5' } },
  action: {},
};

export const buttonCases = defineCases({
  type: 'Button',
  property: undefined,
  accepted: [
    { input: undefined, api: defaults },
    { input: null, api: defaults },
    { input: {}, api: defaults },
    {
      input: {
        text: 'Open',
        style: { type: 'OnlyText', color: { name: 'red_7', value: '#E33E38' } },
        action: { type: 'OpenLink', openLink: { type: 'Url', expression: 'https://a.test' } },
      },
      api: {
        text: 'Open',
        style: { type: 'OnlyText', color: { name: 'red_7', value: '#E33E38' } },
        action: { type: 'OpenLink', openLink: { type: 'Url', expression: 'https://a.test' } },
      },
    },
    // An unknown colour name keeps the default colour.
    { input: { style: { color: { name: 'mauve' } } }, api: defaults },
  ],
  rejected: [
    { input: [], message: '"value" must be of type object' },
    { input: { text: 5 }, message: '"text" must be a string' },
    { input: { action: { type: 'TriggerAutomation' } }, message: '"action.type" must be one of [OpenLink]' },
  ],
  writes: [],
  failures: [{ value: 'click', message: "Button field can't be edited" }],
  // Never returned.
  reads: [{ stored: 'x', json: undefined, string: null }],
});
