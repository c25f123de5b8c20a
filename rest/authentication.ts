import type { Request } from 'express';
import { DomainError, ErrorCode } from '../src/domain/errors.js';
import type { Actor } from '../src/domain/context.js';
import { servicesOf } from './ioc.js';

/**
 * tsoa's authentication hook for `@Security('bearer')`. The header must start with exactly "Bearer "
 * (aitable-fusion-api.md §1.2); anything else is the same 401 as an unknown token.
 */
export async function expressAuthentication(request: Request, securityName: string): Promise<Actor> {
  const header = request.headers.authorization;
  if (securityName !== 'bearer' || typeof header !== 'string' || !header.startsWith('Bearer ')) {
    throw new DomainError(ErrorCode.UNAUTHORIZED, 'Unauthorized');
  }
  return servicesOf(request).tokens.authenticate(header.slice('Bearer '.length).trim());
}
