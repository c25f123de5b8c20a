/**
 * Expected failures. A DomainError has a `reason` (what went wrong, with typed `details`) and the coarse
 * `code` (category) that reason belongs to. The domain knows no transport: REST maps reasons to Fusion
 * business codes and HTTP statuses (rest/errors.ts), GraphQL to `extensions.code` (graphql/errors.ts).
 * Anything that is not a DomainError is unexpected and reaches clients masked.
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
  /** Over the plan's request rate. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** Over the space's monthly API calls. */
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED',
  /** The database cannot answer now (down, pool exhausted, statement timed out); worth retrying later. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A rate limiter's answer as a refusal carries it (limit, what is left, when the window resets). */
export interface RateDetails {
  allowed: boolean;
  limit: number;
  remaining: number;
  resetMs: number;
  retryAfterSeconds: number;
}

/** What names the bad input: a parameter (`records[2].recordId`), and the field key or position within it. */
export interface Where {
  parameter?: string;
  field?: string;
}

/** Each reason with the details it carries. Generic reasons (named as their category) serve every other case. */
export interface Reasons {
  UNAUTHORIZED: Record<string, never>;
  FORBIDDEN: Where & { scope?: string };
  NOT_FOUND: Where;
  INVALID_ARGUMENT: Where & { position?: number; recordIndex?: number; recordIds?: string[] };
  CONFLICT: Where;
  /** The datasheet does not exist or is outside the caller's reach (also a node looked up as one). */
  DATASHEET_NOT_FOUND: { parameter: string; datasheetId?: string };
  EMBED_LINK_NOT_FOUND: { parameter: string };
  /** The webhook does not exist on that datasheet, or is outside the caller's reach. */
  WEBHOOK_NOT_FOUND: { parameter: string };
  /** The member's role does not allow the operation (the token has the scope). */
  OPERATION_DENIED: { scope: string; role: string };
  /** A token restricted to some datasheets tried to act beyond them. */
  BEYOND_REACH: Where & { scope?: string; fieldId?: string; datasheetId?: string; recordIds?: string[] };
  /** An idempotency key's first request is still running. */
  IDEMPOTENCY_IN_PROGRESS: { parameter: string };
  /** An idempotency key's request was applied but its response was lost; it is not run again. */
  IDEMPOTENCY_RESPONSE_LOST: { parameter: string };
  /** A request lost its idempotency key to a retry and was rolled back. */
  IDEMPOTENCY_CLAIM_LOST: Record<string, never>;
  /** A record changed since the revision the writer expected. */
  REVISION_MISMATCH: { recordId: string; revision: number; expectedRevision: number; parameter?: string };
  /** A datasheet would exceed its row cap. */
  ROW_CAP_REACHED: { cap: number; current: number; adding: number };
  /** A space would exceed its attachment capacity. */
  ATTACHMENT_CAPACITY_REACHED: Record<string, never>;
  ATTACHMENT_TOO_LARGE: { parameter: string; limit: number };
  /** More than one file in one upload. */
  TOO_MANY_FILES: { parameter: string };
  /** More records than the domain takes in one batch. */
  BATCH_LIMIT: { parameter: string; limit: number };
  FIELD_LIMIT: { parameter: string; limit: number };
  VIEW_LIMIT: { parameter: string; limit: number };
  /** Embed links per datasheet. */
  LINK_LIMIT: { parameter: string; limit: number };
  /** Open live subscriptions (GraphQL subscriptions and event streams) of one token in one server process. */
  SUBSCRIPTION_LIMIT: { limit: number };
  /** Webhooks per datasheet. */
  WEBHOOK_LIMIT: { parameter: string; limit: number };
  RATE_LIMITED: { rate: RateDetails };
  QUOTA_EXCEEDED: { limit: number | null };
  /** A file to import is larger than the import size limit. */
  FILE_TOO_LARGE: { parameter: string; limit: number };
  /** A one-time export download URL that is unknown, used or expired. */
  DOWNLOAD_LINK_INVALID: Record<string, never>;
}

export type Reason = keyof Reasons;

/** The category of each reason. */
export const REASON_CODE = {
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  CONFLICT: 'CONFLICT',
  DATASHEET_NOT_FOUND: 'NOT_FOUND',
  EMBED_LINK_NOT_FOUND: 'NOT_FOUND',
  WEBHOOK_NOT_FOUND: 'NOT_FOUND',
  OPERATION_DENIED: 'FORBIDDEN',
  BEYOND_REACH: 'FORBIDDEN',
  IDEMPOTENCY_IN_PROGRESS: 'CONFLICT',
  IDEMPOTENCY_RESPONSE_LOST: 'CONFLICT',
  IDEMPOTENCY_CLAIM_LOST: 'CONFLICT',
  REVISION_MISMATCH: 'CONFLICT',
  ROW_CAP_REACHED: 'ROW_CAP_EXCEEDED',
  ATTACHMENT_CAPACITY_REACHED: 'CAPACITY_EXCEEDED',
  ATTACHMENT_TOO_LARGE: 'LIMIT_EXCEEDED',
  TOO_MANY_FILES: 'LIMIT_EXCEEDED',
  BATCH_LIMIT: 'LIMIT_EXCEEDED',
  FIELD_LIMIT: 'LIMIT_EXCEEDED',
  VIEW_LIMIT: 'LIMIT_EXCEEDED',
  LINK_LIMIT: 'LIMIT_EXCEEDED',
  SUBSCRIPTION_LIMIT: 'LIMIT_EXCEEDED',
  WEBHOOK_LIMIT: 'LIMIT_EXCEEDED',
  RATE_LIMITED: 'RATE_LIMITED',
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED',
  FILE_TOO_LARGE: 'LIMIT_EXCEEDED',
  DOWNLOAD_LINK_INVALID: 'FORBIDDEN',
} as const satisfies Record<Reason, ErrorCode>;

/** Details may be left out where the reason has none that are required. */
type DetailsArgs<R extends Reason> =
  Record<string, never> extends Reasons[R] ? [details?: Reasons[R]] : [details: Reasons[R]];

export class DomainError<R extends Reason = Reason> extends Error {
  override name = 'DomainError';
  readonly code: ErrorCode;
  readonly details: Reasons[R];
  constructor(
    readonly reason: R,
    message: string,
    ...[details]: DetailsArgs<R>
  ) {
    super(message);
    this.code = REASON_CODE[reason];
    this.details = details ?? ({} as Reasons[R]);
  }

  /** Narrows to one reason, so its details are typed. */
  is<K extends Reason>(reason: K): this is DomainError<K> {
    return (this.reason as Reason) === reason;
  }
}

export const domainError = <R extends Reason>(reason: R, message: string, ...details: DetailsArgs<R>) =>
  new DomainError(reason, message, ...details);

export const invalidArgument = (message: string, details?: Reasons['INVALID_ARGUMENT']) =>
  new DomainError('INVALID_ARGUMENT', message, details);

export const notFound = (message: string, details?: Reasons['NOT_FOUND']) =>
  new DomainError('NOT_FOUND', message, details);

export const conflict = (message: string, details?: Reasons['CONFLICT']) =>
  new DomainError('CONFLICT', message, details);
