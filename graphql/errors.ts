import { createGraphQLError } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';
import { databaseUnavailable } from '../src/db/unavailable.js';
import { DomainError, ErrorCode } from '../src/domain/errors.js';

const HTTP_STATUS: Record<ErrorCode, number> = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  INVALID_ARGUMENT: 400,
  CONFLICT: 409,
  ROW_CAP_EXCEEDED: 409,
  CAPACITY_EXCEEDED: 409,
  LIMIT_EXCEEDED: 400,
  RATE_LIMITED: 429,
  QUOTA_EXCEEDED: 403,
  SERVICE_UNAVAILABLE: 503,
};

/**
 * Yoga's maskError hook: domain errors pass with `extensions.code`, GraphQL's own errors (syntax,
 * validation) pass as they are, everything else is masked. Errors are recognised by name, not instanceof,
 * because graphql may be loaded twice (CJS and ESM builds) in one process.
 */
export function maskError(error: unknown, message: string): Error {
  const gqlError = isGraphQLError(error) ? error : undefined;
  const original = gqlError ? gqlError.originalError : error;
  if (original instanceof DomainError) {
    return createGraphQLError(original.message, {
      nodes: gqlError?.nodes,
      path: gqlError?.path,
      extensions: { code: original.code, http: { status: HTTP_STATUS[original.code] }, ...original.details },
    });
  }
  if (gqlError && (!original || isGraphQLError(original))) return gqlError;
  // A failed database (down, timed out) is not the caller's fault: 503 with a code a client can retry on.
  const unavailable = databaseUnavailable(original);
  if (unavailable) {
    return createGraphQLError(unavailable.message, {
      nodes: gqlError?.nodes,
      path: gqlError?.path,
      extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, http: { status: 503 } },
    });
  }
  return createGraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}

function isGraphQLError(value: unknown): value is GraphQLError {
  return value instanceof Error && value.name === 'GraphQLError';
}
