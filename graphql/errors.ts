import { createGraphQLError } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';
import { databaseUnavailable } from '../src/db/unavailable.js';
import { DomainError, REASON_CODE, type Reason } from '../src/domain/errors.js';

/**
 * Every `extensions.code` this API answers, with its HTTP status and meaning (the schema's `ErrorCode` enum
 * documents them). These are GraphQL's own names: the REST facade's business codes never appear here.
 */
export const GRAPHQL_ERROR_CODES = {
  UNAUTHORIZED: { status: 401, description: 'No valid API token was sent (Authorization: Bearer …).' },
  FORBIDDEN: {
    status: 403,
    description: "The token's scopes, its datasheet restriction or the member's role do not allow this.",
  },
  NOT_FOUND: {
    status: 404,
    description: 'The object named by `extensions.parameter` does not exist or is out of reach.',
  },
  INVALID_ARGUMENT: {
    status: 400,
    description: 'An argument is invalid; `extensions.parameter` (and `field`) name it. Nothing was changed.',
  },
  CONFLICT: {
    status: 409,
    description: 'The request conflicts with the current state (a revision, an idempotency key). Nothing was changed.',
  },
  ROW_CAP_EXCEEDED: { status: 409, description: 'The datasheet would exceed its row cap.' },
  CAPACITY_EXCEEDED: { status: 409, description: 'The space would exceed its attachment capacity.' },
  LIMIT_EXCEEDED: {
    status: 400,
    description:
      'Too many of something (fields, views, records in one batch, embed links, file size); `extensions.limit` says how many are allowed.',
  },
  RATE_LIMITED: { status: 429, description: 'Over the request rate; retry after `extensions.retryAfterSeconds`.' },
  QUOTA_EXCEEDED: { status: 403, description: "Over the space's monthly API calls." },
  QUERY_TOO_COMPLEX: {
    status: 400,
    description:
      'The operation is too large or deep (`extensions.limit` names the limit, `max` its value); nothing ran.',
  },
  GRAPHQL_PARSE_FAILED: { status: 400, description: 'The document is not valid GraphQL.' },
  GRAPHQL_VALIDATION_FAILED: { status: 400, description: 'The operation does not match the schema.' },
  BAD_REQUEST: {
    status: 400,
    description: 'The HTTP request is not a GraphQL request (a body that is not JSON, no query, a mutation over GET).',
  },
  SERVICE_UNAVAILABLE: {
    status: 503,
    description:
      'The database cannot answer right now (down, busy, a statement timed out); retry shortly. Nothing was changed.',
  },
  INTERNAL_SERVER_ERROR: { status: 500, description: 'An unexpected failure; its details are logged, never sent.' },
} as const;

export type GraphQLErrorCode = keyof typeof GRAPHQL_ERROR_CODES;

/**
 * Reasons to GraphQL codes: a reason answers its domain category (transport-neutral names that are also
 * GraphQL's codes). The assignment is the compile-time check that every category is a documented code.
 */
export const REASON_CODES: Readonly<Record<Reason, GraphQLErrorCode>> = REASON_CODE;

/** The details a client may see: what names the input and the limit that applied, never anything else. */
function publicDetails(error: DomainError): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  const details = error.details as Record<string, unknown>;
  for (const key of ['parameter', 'field'] as const) if (typeof details[key] === 'string') out[key] = details[key];
  if (typeof details.limit === 'number') out.limit = details.limit;
  if (error.is('RATE_LIMITED'))
    Object.assign(out, { limit: error.details.rate.limit, retryAfterSeconds: error.details.rate.retryAfterSeconds });
  if (error.is('ROW_CAP_REACHED')) out.limit = error.details.cap;
  return out;
}

/**
 * Yoga's maskError hook: domain errors pass with `extensions.code`, GraphQL's own errors (syntax,
 * validation) pass as they are, everything else is masked. Errors are recognised by name, not instanceof,
 * because graphql may be loaded twice (CJS and ESM builds) in one process.
 */
export function maskError(error: unknown, message: string): Error {
  const gqlError = isGraphQLError(error) ? error : undefined;
  const original = gqlError ? gqlError.originalError : error;
  if (original instanceof DomainError) {
    const known: DomainError = original;
    const code = REASON_CODES[known.reason];
    return createGraphQLError(known.message, {
      nodes: gqlError?.nodes,
      path: gqlError?.path,
      extensions: { code, http: { status: GRAPHQL_ERROR_CODES[code].status }, ...publicDetails(known) },
    });
  }
  if (gqlError && (!original || isGraphQLError(original))) return gqlError;
  // A failed database (down, timed out) is not the caller's fault: 503 with a code a client can retry on.
  const unavailable = databaseUnavailable(original);
  if (unavailable) {
    return createGraphQLError(unavailable.message, {
      nodes: gqlError?.nodes,
      path: gqlError?.path,
      extensions: { code: 'SERVICE_UNAVAILABLE' satisfies GraphQLErrorCode, http: { status: 503 } },
    });
  }
  return createGraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}

function isGraphQLError(value: unknown): value is GraphQLError {
  return value instanceof Error && value.name === 'GraphQLError';
}
