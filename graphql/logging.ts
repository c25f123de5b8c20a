import type { YogaLogger } from 'graphql-yoga';
import { DomainError } from '../src/domain/errors.js';
import { describeError, redactSecrets, type Logger } from '../src/logger.js';

/**
 * Yoga's logger, over the server's. Yoga logs every error it masks at error level; here an error a client
 * caused (a DomainError such as UNAUTHORIZED or INVALID_ARGUMENT, a syntax or validation error) is logged at
 * debug, and only an unexpected one at error, through describeError: its kind and first message line, never
 * a stack, SQL or query text, nor a token.
 */
export function yogaLogger(logger: Logger): YogaLogger {
  const text = (args: unknown[]) =>
    redactSecrets(args.map((a) => (a instanceof Error ? describeError(a).message : String(a))).join(' '));
  const plain =
    (level: 'debug' | 'info' | 'warn') =>
    (...args: unknown[]) => {
      if (logger.isLevelEnabled(level)) logger[level](text(args));
    };
  return {
    debug: plain('debug'),
    info: plain('info'),
    warn: plain('warn'),
    error: (...args: unknown[]) => {
      const errors = args.filter((a): a is Error => a instanceof Error);
      if (errors.length === 0) return logger.error(text(args));
      for (const error of errors) {
        const cause = rootCause(error);
        if (cause instanceof DomainError)
          logger.debug({ err: describeError(cause), code: cause.code }, 'graphql operation refused');
        else if (isGraphQLError(cause)) logger.debug({ err: describeError(cause) }, 'graphql operation invalid');
        else logger.error({ err: describeError(cause) }, 'graphql operation failed');
      }
    },
  };
}

/** The error a GraphQLError wraps (through `originalError`), or the error itself. */
function rootCause(error: Error): Error {
  let current = error;
  for (let i = 0; i < 10 && isGraphQLError(current); i++) {
    const original = (current as { originalError?: unknown }).originalError;
    if (!(original instanceof Error)) break;
    current = original;
  }
  return current;
}

/** By name: graphql may be loaded twice (CJS and ESM builds) in one process. */
const isGraphQLError = (value: unknown): value is Error => value instanceof Error && value.name === 'GraphQLError';
