/**
 * The GraphQL bench's load generator, a child process of the bench (graphql.bench.ts): the HTTP client's work
 * (serializing the request, reading and parsing the answer) must not run on the server's event loop, or the
 * figures charge it to the server. The parent sends `{ id, url, token, query, variables }` over IPC; the
 * body is serialized before the clock starts, and the time is taken from the request to the answer's last byte
 * (parsing it comes after), as a client on another machine would see it.
 */
interface Request {
  id: number;
  url: string;
  token: string;
  query: string;
  variables: Record<string, unknown>;
  /** Send the answer's data back (false: only its time and status). */
  keep: boolean;
}

export interface ClientAnswer {
  id: number;
  ms: number;
  status: number;
  data?: unknown;
  error?: string;
}

process.on('message', async (message: Request) => {
  const { id, url, token, query, variables, keep } = message;
  const body = JSON.stringify({ query, variables });
  const t0 = performance.now();
  try {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    });
    const text = await response.text();
    const ms = performance.now() - t0;
    const parsed = JSON.parse(text) as { data?: unknown; errors?: { message: string }[] };
    const error = parsed.errors?.length ? parsed.errors[0]!.message : parsed.data ? undefined : text.slice(0, 200);
    process.send!({ id, ms, status: response.status, data: keep ? parsed.data : null, error } satisfies ClientAnswer);
  } catch (e) {
    process.send!({ id, ms: performance.now() - t0, status: 0, error: String(e) } satisfies ClientAnswer);
  }
});
process.send!('ready');
