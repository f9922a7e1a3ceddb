/** A message in both UI languages: Chinese first for the librarians, English for everyone else. */
export interface LocalizedText {
  zh: string;
  en: string;
}

/** One problem with one field of a request, as listed in a problem+json `errors` array. */
export interface FieldError {
  path: string;
  code: string;
  message: LocalizedText;
}

interface AppErrorOptions {
  cause?: unknown;
  errors?: FieldError[];
}

/**
 * Errors the API may show to its caller. Each carries its HTTP status and `expose: true`
 * (the middy convention); anything that is not an AppError is unexpected and becomes a 500.
 */
export abstract class AppError extends Error {
  abstract readonly statusCode: number;
  /** Stable slug used as the problem type, e.g. `forbidden`. */
  abstract readonly code: string;
  readonly expose = true;
  readonly errors: FieldError[];

  constructor(
    readonly detail: LocalizedText,
    options: AppErrorOptions = {},
  ) {
    super(detail.en, { cause: options.cause });
    this.name = new.target.name;
    this.errors = options.errors ?? [];
  }
}

export class BadRequestError extends AppError {
  readonly statusCode = 400;
  readonly code = 'bad-request';
}

export class UnauthorizedError extends AppError {
  readonly statusCode = 401;
  readonly code = 'unauthorized';
}

export class ForbiddenError extends AppError {
  readonly statusCode = 403;
  readonly code = 'forbidden';
}

export class NotFoundError extends AppError {
  readonly statusCode = 404;
  readonly code = 'not-found';
}

/** A stale expected revision, or an action the report's current state does not allow. */
export class ConflictError extends AppError {
  readonly statusCode = 409;
  readonly code = 'conflict';
}

export class PayloadTooLargeError extends AppError {
  readonly statusCode = 413;
  readonly code = 'payload-too-large';
}

export class UnsupportedMediaTypeError extends AppError {
  readonly statusCode = 415;
  readonly code = 'unsupported-media-type';
}

/** A final submission that fails validation: every problem is listed in `errors`. */
export class UnprocessableError extends AppError {
  readonly statusCode = 422;
  readonly code = 'validation-failed';
}

/** The period is not open for writing (before it opens or after it locks). */
export class LockedError extends AppError {
  readonly statusCode = 423;
  readonly code = 'period-locked';
}

/** A dependency (DynamoDB, S3) is down or throttling; the caller may retry. */
export class DependencyUnavailableError extends AppError {
  readonly statusCode = 503;
  readonly code = 'dependency-unavailable';
}

/** Deployment or environment is wrong; never shown to a caller. */
export class ConfigurationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigurationError';
  }
}
