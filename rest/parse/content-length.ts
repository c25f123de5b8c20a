import type { Request } from 'express';

/** The request's declared Content-Length in bytes, when it sends one (a chunked body has none). */
export function declaredLength(request: Request): number | undefined {
  const header = request.headers['content-length'];
  if (header === undefined || !/^\d+$/.test(header)) return undefined;
  return Number(header);
}
