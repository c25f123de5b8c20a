import { ValidateError } from '@tsoa/runtime';
import { DomainError, type ErrorCode, type Reason, type RateDetails } from '../src/domain/errors.js';
import { databaseUnavailable } from '../src/db/unavailable.js';
import { failure, type ErrorEnvelope } from './envelope.js';

export interface FusionFailure {
  status: number;
  body: ErrorEnvelope;
  headers: Record<string, string>;
  /** True when the error was not expected and deserves a log line. */
  unexpected: boolean;
}

/** A Fusion answer: HTTP status and business code (aitable-fusion-api.md §5.1: most business errors are HTTP 200). */
interface FusionCode {
  status: number;
  code: number;
}

/** Per category: the answer of every reason that has none of its own. */
const BY_CATEGORY = {
  UNAUTHORIZED: { status: 401, code: 401 },
  FORBIDDEN: { status: 403, code: 403 },
  NOT_FOUND: { status: 200, code: 301 },
  INVALID_ARGUMENT: { status: 200, code: 400 },
  CONFLICT: { status: 200, code: 400 },
  ROW_CAP_EXCEEDED: { status: 500, code: 304 },
  CAPACITY_EXCEEDED: { status: 200, code: 426 },
  LIMIT_EXCEEDED: { status: 200, code: 400 },
  RATE_LIMITED: { status: 429, code: 429 },
  QUOTA_EXCEEDED: { status: 403, code: 403 },
  SERVICE_UNAVAILABLE: { status: 503, code: 503 },
} as const satisfies Record<ErrorCode, FusionCode>;

/** The one table of domain reasons to Fusion answers; every reason is listed (a compile-time check). */
export const FUSION_CODES = {
  UNAUTHORIZED: BY_CATEGORY.UNAUTHORIZED,
  FORBIDDEN: BY_CATEGORY.FORBIDDEN,
  NOT_FOUND: BY_CATEGORY.NOT_FOUND,
  INVALID_ARGUMENT: BY_CATEGORY.INVALID_ARGUMENT,
  CONFLICT: BY_CATEGORY.CONFLICT,
  DATASHEET_NOT_FOUND: { status: 200, code: 301 },
  // The reference's embed link code (api_embed_link_not_exist).
  EMBED_LINK_NOT_FOUND: { status: 200, code: 1501 },
  WEBHOOK_NOT_FOUND: BY_CATEGORY.NOT_FOUND,
  // The reference's "Operation denied": the member's role lacks the permission, HTTP 200.
  OPERATION_DENIED: { status: 200, code: 602 },
  BEYOND_REACH: BY_CATEGORY.FORBIDDEN,
  // Idempotency is ours: HTTP 409 and code 409 (the reference has no such header).
  IDEMPOTENCY_IN_PROGRESS: { status: 409, code: 409 },
  IDEMPOTENCY_RESPONSE_LOST: { status: 409, code: 409 },
  IDEMPOTENCY_CLAIM_LOST: { status: 409, code: 409 },
  REVISION_MISMATCH: BY_CATEGORY.CONFLICT,
  // §3: the reference answers the 50,000-row limit with code 304 and HTTP 500.
  ROW_CAP_REACHED: { status: 500, code: 304 },
  ATTACHMENT_CAPACITY_REACHED: { status: 200, code: 426 },
  ATTACHMENT_TOO_LARGE: BY_CATEGORY.LIMIT_EXCEEDED,
  // The reference's "You have uploaded the maximum number of attachments".
  TOO_MANY_FILES: { status: 200, code: 428 },
  BATCH_LIMIT: BY_CATEGORY.LIMIT_EXCEEDED,
  FIELD_LIMIT: BY_CATEGORY.LIMIT_EXCEEDED,
  VIEW_LIMIT: BY_CATEGORY.LIMIT_EXCEEDED,
  LINK_LIMIT: BY_CATEGORY.LIMIT_EXCEEDED,
  // Ours: too many open event streams for one token answers HTTP 429 with code 429.
  SUBSCRIPTION_LIMIT: { status: 429, code: 429 },
  WEBHOOK_LIMIT: BY_CATEGORY.LIMIT_EXCEEDED,
  RATE_LIMITED: { status: 429, code: 429 },
  QUOTA_EXCEEDED: { status: 403, code: 403 },
  FILE_TOO_LARGE: { status: 413, code: 413 },
  DOWNLOAD_LINK_INVALID: { status: 403, code: 403 },
} as const satisfies Record<Reason, FusionCode>;

export function toFusionFailure(error: unknown): FusionFailure {
  // A failed database is the server's trouble, not the client's: never 401 ("your token is bad") nor a 500
  // with SQL. A statement cancelled by statement_timeout answers 503 as well, not 400: the request is
  // valid and the same request may succeed when the server is less loaded.
  const unavailable = databaseUnavailable(error);
  if (unavailable) {
    return { status: 503, body: failure(503, unavailable.message), headers: { 'Retry-After': '5' }, unexpected: true };
  }
  if (error instanceof DomainError) {
    const known: DomainError = error;
    const { status, code } = FUSION_CODES[known.reason] ?? BY_CATEGORY[known.code];
    const headers = known.is('RATE_LIMITED') ? rateHeaders(known.details.rate) : {};
    return { status, body: failure(code, error.message), headers, unexpected: false };
  }
  if (error instanceof ValidateError) {
    return { status: 200, body: failure(400, describeValidation(error)), headers: {}, unexpected: false };
  }
  if (error instanceof MalformedRequest) {
    return { status: error.status, body: failure(error.status, error.message), headers: {}, unexpected: false };
  }
  const unreadable = unreadableRequest(error);
  if (unreadable) return { ...unreadable, headers: {}, unexpected: false };
  return { status: 500, body: failure(500, 'Server Error'), headers: {}, unexpected: true };
}

/** One readable sentence naming the first invalid parameter, never the reference's array message. */
function describeValidation(error: ValidateError): string {
  const [key, detail] = Object.entries(error.fields)[0] ?? [];
  if (!key || !detail) return 'Invalid parameters';
  const name = key.replace(/^(query|body|path|header)\./, '').replace(/^body\./, '');
  return `Invalid value for ${name}: ${detail.message}`;
}

/**
 * A request that cannot be read as sent (a path that is not valid percent-encoding or holds a NUL, a body
 * that ends early or is not valid multipart): refused before any work, with an HTTP status of its own
 * (400, 413, 415) and that status as the envelope's code, naming what was wrong.
 */
export class MalformedRequest extends Error {
  override name = 'MalformedRequest';
  constructor(
    readonly parameter: string,
    message: string,
    readonly status: 400 | 413 | 415 = 400,
  ) {
    super(message);
  }
}

/** The body parser's refusals (body-parser / raw-body `error.type`) as answers; each names the body. */
const BODY_FAULTS: Record<string, { status: number; code: number; message: string }> = {
  // The reference answers malformed JSON with the parser's own message; ours names the body (HTTP 200, code 400).
  'entity.parse.failed': { status: 200, code: 400, message: 'The request body is not valid JSON' },
  'encoding.unsupported': {
    status: 415,
    code: 415,
    message: 'The request body has an unsupported Content-Encoding: send gzip, deflate, br or none',
  },
  'charset.unsupported': { status: 415, code: 415, message: 'The request body has an unsupported charset: send UTF-8' },
  'request.aborted': { status: 400, code: 400, message: 'The request body ended before its declared length' },
  'request.size.invalid': { status: 400, code: 400, message: 'The request body does not match its Content-Length' },
};

/**
 * Faults of the request itself that reach the error handler from express, its router or the body parser:
 * a known body-parser type, any other client error of theirs (http-errors marks those `expose`: a truncated
 * or corrupt gzip body among them), or a path segment that is not valid percent-encoding (a URIError from routing).
 */
function unreadableRequest(error: unknown): { status: number; body: ErrorEnvelope } | undefined {
  if (error instanceof URIError)
    return { status: 400, body: failure(400, 'The request path is not valid percent-encoding') };
  if (typeof error !== 'object' || error === null) return undefined;
  const { type, status, expose, code } = error as {
    type?: unknown;
    status?: unknown;
    expose?: unknown;
    code?: unknown;
  };
  const known = typeof type === 'string' ? BODY_FAULTS[type] : undefined;
  if (known) return { status: known.status, body: failure(known.code, known.message) };
  if (expose === true && typeof status === 'number' && status >= 400 && status < 500) {
    // zlib's codes (Z_BUF_ERROR, Z_DATA_ERROR): a body that is not what its Content-Encoding says, or ends early.
    const inflating = typeof code === 'string' && code.startsWith('Z_');
    return {
      status,
      body: failure(
        status,
        inflating
          ? 'The request body could not be decompressed as its Content-Encoding says'
          : 'The request could not be read',
      ),
    };
  }
  return undefined;
}

export const ROUTE_NOT_FOUND = failure(404, 'The API does not exist');

/** Rate headers the reference lacks: limit, what is left of the window, when it resets (epoch seconds). */
export function rateHeaders(rate: RateDetails): Record<string, string> {
  const headers: Record<string, string> = {
    'X-RateLimit-Limit': String(rate.limit),
    'X-RateLimit-Remaining': String(Math.max(0, rate.remaining)),
    'X-RateLimit-Reset': String(Math.ceil((Date.now() + rate.resetMs) / 1000)),
  };
  if (!rate.allowed) headers['Retry-After'] = String(rate.retryAfterSeconds);
  return headers;
}
