/** A GraphQL operation over real HTTP, as spaces.test.ts sends it, with variables. */
export interface GqlError {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
}

export async function gqlAt(url: string, query: string, options: { token?: string | undefined; variables?: Record<string, unknown> } = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
    body: JSON.stringify({ query, ...(options.variables ? { variables: options.variables } : {}) }),
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as { data?: Record<string, unknown> | null; errors?: GqlError[] } };
}
