/** The Fusion envelope every REST answer comes in. */
export interface Envelope<T = unknown> {
  success: boolean;
  code: number;
  message: string;
  data?: T;
}

export interface FusionResponse<T = unknown> {
  status: number;
  headers: Headers;
  /** The body as sent, for asserting what never reaches a client. */
  text: string;
  body: Envelope<T>;
}

export interface FusionOptions {
  token?: string | undefined;
  authorization?: string;
  /** JSON (a string is sent as is); FormData and bytes are sent as they are, with their own content type. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** One Fusion call over real HTTP: status, headers, the text and the parsed envelope. */
export async function fusion<T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  options: FusionOptions = {},
): Promise<FusionResponse<T>> {
  const headers: Record<string, string> = {};
  const authorization = options.authorization ?? (options.token ? `Bearer ${options.token}` : undefined);
  if (authorization) headers.authorization = authorization;
  const raw = options.body instanceof FormData || options.body instanceof Uint8Array;
  if (options.body !== undefined && !raw) headers['content-type'] = 'application/json';
  Object.assign(headers, options.headers);
  const response = await fetch(`${baseUrl}/fusion${path}`, {
    method,
    headers,
    body:
      options.body === undefined
        ? undefined
        : raw || typeof options.body === 'string'
          ? (options.body as BodyInit)
          : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: envelopeOf<T>(response, text) };
}

/** The envelope of a JSON answer; a file (an export) stands for a success or failure by its HTTP status. */
function envelopeOf<T>(response: Response, text: string): Envelope<T> {
  if (!response.headers.get('content-type')?.includes('application/json') && response.ok)
    return { success: true, code: 200, message: 'SUCCESS' };
  return JSON.parse(text) as Envelope<T>;
}
