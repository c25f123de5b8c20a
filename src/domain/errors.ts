/**
 * Expected failures. Transports map `code` to their wire format (Fusion business codes, GraphQL
 * `extensions.code`); anything that is not a DomainError is unexpected and reaches clients masked.
 */
export const ErrorCode = {
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  CONFLICT: 'CONFLICT',
  /** A datasheet would exceed its row cap. */
  ROW_CAP_EXCEEDED: 'ROW_CAP_EXCEEDED',
  /** A space would exceed its attachment capacity. */
  CAPACITY_EXCEEDED: 'CAPACITY_EXCEEDED',
  /** Too many fields, views, records in one batch, … */
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  /** Over the plan's request rate; details carry limit and retryAfterSeconds. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** Over the space's monthly API calls. */
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED',
  /** The database cannot answer now (down, pool exhausted, statement timed out); worth retrying later. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const invalidArgument = (message: string, details?: Record<string, unknown>) =>
  new DomainError(ErrorCode.INVALID_ARGUMENT, message, details);

export const notFound = (message: string, details?: Record<string, unknown>) =>
  new DomainError(ErrorCode.NOT_FOUND, message, details);

export const conflict = (message: string, details?: Record<string, unknown>) =>
  new DomainError(ErrorCode.CONFLICT, message, details);
