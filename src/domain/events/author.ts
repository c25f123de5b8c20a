import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Who a change is by beyond the scope's user: the API token and the request it came in. The transports set it once
 * per request (`withRequestAuthor` around the handler, `setAuthorToken` once the token is known), and the change feed
 * reads it when a transaction writes its events, so no domain call takes it as a parameter.
 */
export interface RequestAuthor {
  requestId: string | null;
  tokenId: string | null;
}

const authors = new AsyncLocalStorage<RequestAuthor>();

/** Runs `fn` (and everything it starts) as a request with this author; `author` may be filled in later. */
export function withRequestAuthor<T>(author: RequestAuthor, fn: () => T): T {
  return authors.run(author, fn);
}

/** Records the token of the request being handled (a no-op outside withRequestAuthor). */
export function setAuthorToken(tokenId: string | null): void {
  const author = authors.getStore();
  if (author) author.tokenId = tokenId;
}

/** The author of the request being handled; nulls outside a request (system writes, CLI). */
export function currentAuthor(): RequestAuthor {
  const author = authors.getStore();
  return { requestId: author?.requestId ?? null, tokenId: author?.tokenId ?? null };
}
