import { define } from './shared.js';

/** Record functions. */
export const RECORD_FUNCTIONS = {
  RECORD_ID: define('RECORD_ID', {
    category: 'record',
    params: { min: 0, max: 0 },
    returns: () => 'string',
    evaluate: (call) => call.env.record.id,
  }),
};
