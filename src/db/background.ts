import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';

/**
 * Work a request sets off but does not wait for (the change feed's dispatcher and durable consumers): it runs
 * detached from the request's async context, so nothing of the request (its author, its commit scope) leaks into
 * it, and it is known as background work (the statement counter of tests and measurements keeps it apart).
 */
const background = new AsyncLocalStorage<true>();

/** Bound at load: runs its argument in the root async context, marked as background work. */
const detached = AsyncResource.bind((fn: () => unknown) => background.run(true, fn));

/** Runs `fn` (and everything it starts) as background work, outside the caller's async context. */
export function inBackground<T>(fn: () => T): T {
  return detached(fn) as T;
}

/** True inside `inBackground`. */
export function isBackground(): boolean {
  return background.getStore() === true;
}
