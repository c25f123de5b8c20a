import type { Plugin } from 'graphql-yoga';

/** The largest GraphQL request body: 1,000 records of large cells fit, as in a REST write (10 MiB). */
export const MAX_GRAPHQL_BODY_BYTES = 10 * 1024 * 1024;

/**
 * A request that declares a larger body (Content-Length) is answered 413 before any of it is read, parsed or
 * authenticated, so one request cannot make the server buffer an unbounded body.
 */
export function useBodyLimit(maxBytes = MAX_GRAPHQL_BODY_BYTES): Plugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      const declared = Number(request.headers.get('content-length') ?? 0);
      if (!(declared > maxBytes)) return;
      const message = `The request body is larger than ${maxBytes / 1024 / 1024} MiB`;
      endResponse(
        new fetchAPI.Response(
          JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_REQUEST', limit: maxBytes } }] }),
          {
            status: 413,
            headers: { 'content-type': 'application/json', connection: 'close' },
          },
        ),
      );
    },
  };
}
