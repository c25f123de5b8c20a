export interface GqlError {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
}

export interface GqlResponse<D = Record<string, unknown>> {
  status: number;
  headers: Headers;
  /** The body as sent, for asserting what never reaches a client. */
  text: string;
  body: { data?: D | null; errors?: GqlError[] };
}

export interface GqlOptions {
  token?: string | undefined;
  variables?: Record<string, unknown> | undefined;
  /** Sent after the token's Authorization header, so they may replace it. */
  headers?: Record<string, string>;
}

/** One GraphQL operation over real HTTP (POST /graphql): status, headers, the text and the parsed body. */
export async function gql<D = Record<string, unknown>>(
  url: string,
  query: string,
  options: GqlOptions = {},
): Promise<GqlResponse<D>> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, ...(options.variables ? { variables: options.variables } : {}) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) as GqlResponse<D>['body'] };
}
