export interface FusionResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: { success: boolean; code: number; message: string; data?: T };
}

/** One Fusion call over real HTTP: status, headers and the parsed envelope. */
export async function fusion<T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; authorization?: string; body?: unknown } = {},
): Promise<FusionResponse<T>> {
  const headers: Record<string, string> = {};
  const authorization = options.authorization ?? (options.token ? `Bearer ${options.token}` : undefined);
  if (authorization) headers.authorization = authorization;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}/fusion${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as FusionResponse<T>['body'] };
}
