import { builder } from '../builder.js';
import { GRAPHQL_ERROR_CODES } from '../errors.js';

/** Documents `extensions.code` in the schema; no field returns it. */
builder.enumType('ErrorCode', {
  description:
    'The `extensions.code` of an error in `errors`, with `extensions.http.status`. Errors about an input also carry `extensions.parameter` (and `field`) naming it.',
  values: Object.fromEntries(
    Object.entries(GRAPHQL_ERROR_CODES).map(([code, { description }]) => [code, { description }]),
  ),
});
