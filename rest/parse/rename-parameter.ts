import { DomainError } from '../../src/domain/errors.js';

/**
 * Runs `fn`; an error naming a domain parameter the route calls otherwise (the domain's `after` is the route's
 * `cursor`, `updates[0].id` its `updates[0].recordId`) is answered naming the route's parameter instead.
 */
export async function renamingParameters<T>(renames: readonly [RegExp, string][], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const parameter = (error.details as { parameter?: unknown }).parameter;
    if (typeof parameter !== 'string') throw error;
    let renamed = parameter;
    let message = error.message;
    for (const [pattern, replacement] of renames) {
      const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
      renamed = renamed.replace(global, replacement);
      message = message.replace(global, replacement);
    }
    if (renamed === parameter && message === error.message) throw error;
    throw new DomainError(error.reason, message, { ...(error.details as object), parameter: renamed } as never);
  }
}
