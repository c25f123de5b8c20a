import { ValidateError } from '@tsoa/runtime';
import { DomainError, ErrorCode } from '../src/domain/errors.js';
import type { RateDecision } from '../src/domain/access/access.service.js';
import { databaseUnavailable } from '../src/db/unavailable.js';
import { failure, type ErrorEnvelope } from './envelope.js';

export interface FusionFailure {
  status: number;
  body: ErrorEnvelope;
  headers: Record<string, string>;
  /** True when the error was not expected and deserves a log line. */
  unexpected: boolean;
}

/** HTTP status and business code per domain error (aitable-fusion-api.md §5.1: most business errors are HTTP 200). */
const DOMAIN_TO_FUSION: Record<ErrorCode, { status: number; code: number }> = {
  UNAUTHORIZED: { status: 401, code: 401 },
  FORBIDDEN: { status: 403, code: 403 },
  NOT_FOUND: { status: 200, code: 301 },
  INVALID_ARGUMENT: { status: 200, code: 400 },
  CONFLICT: { status: 200, code: 400 },
  // §3: the reference answers the 50,000-row limit with code 304 and HTTP 500.
  ROW_CAP_EXCEEDED: { status: 500, code: 304 },
  CAPACITY_EXCEEDED: { status: 200, code: 426 },
  LIMIT_EXCEEDED: { status: 200, code: 400 },
  RATE_LIMITED: { status: 429, code: 429 },
  QUOTA_EXCEEDED: { status: 403, code: 403 },
  SERVICE_UNAVAILABLE: { status: 503, code: 503 },
};

export function toFusionFailure(error: unknown): FusionFailure {
  // A failed database is the server's trouble, not the client's: never 401 ("your token is bad") nor a 500
  // with SQL. A statement cancelled by statement_timeout answers 503 as well, not 400: the request is
  // valid and the same request may succeed when the server is less loaded.
  const unavailable = databaseUnavailable(error);
  if (unavailable) {
    return { status: 503, body: failure(503, unavailable.message), headers: { 'Retry-After': '5' }, unexpected: true };
  }
  if (error instanceof DomainError) {
    const mapped = DOMAIN_TO_FUSION[error.code];
    const code = typeof error.details.fusionCode === 'number' ? error.details.fusionCode : mapped.code;
    const status = typeof error.details.httpStatus === 'number' ? error.details.httpStatus : mapped.status;
    const rate = error.details.rate as RateDecision | undefined;
    return { status, body: failure(code, error.message), headers: rate ? rateHeaders(rate) : {}, unexpected: false };
  }
  if (error instanceof ValidateError) {
    return { status: 200, body: failure(400, describeValidation(error)), headers: {}, unexpected: false };
  }
  if (isBodyParseError(error)) {
    return { status: 200, body: failure(400, 'The request body is not valid JSON'), headers: {}, unexpected: false };
  }
  return { status: 500, body: failure(500, 'Server Error'), headers: {}, unexpected: true };
}

/** One readable sentence naming the first invalid parameter, never the reference's array message. */
function describeValidation(error: ValidateError): string {
  const [key, detail] = Object.entries(error.fields)[0] ?? [];
  if (!key || !detail) return 'Invalid parameters';
  const name = key.replace(/^(query|body|path|header)\./, '').replace(/^body\./, '');
  return `Invalid value for ${name}: ${detail.message}`;
}

function isBodyParseError(error: unknown): boolean {
  return (error as { type?: unknown } | null)?.type === 'entity.parse.failed';
}

export const ROUTE_NOT_FOUND = failure(404, 'The API does not exist');

/** Rate headers the reference lacks: limit, what is left of the window, when it resets (epoch seconds). */
export function rateHeaders(rate: RateDecision): Record<string, string> {
  const headers: Record<string, string> = {
    'X-RateLimit-Limit': String(rate.limit),
    'X-RateLimit-Remaining': String(Math.max(0, rate.remaining)),
    'X-RateLimit-Reset': String(Math.ceil((Date.now() + rate.resetMs) / 1000)),
  };
  if (!rate.allowed) headers['Retry-After'] = String(rate.retryAfterSeconds);
  return headers;
}
