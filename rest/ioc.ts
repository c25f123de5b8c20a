import type { Request } from 'express';
import type { IocContainer, IocContainerFactory } from '@tsoa/runtime';
import type { Services } from '../src/services.js';
import type { RequestAccess } from './authentication.js';

/** What a controller knows about its request: the services and the admitted caller. */
export interface RequestContext {
  services: Services;
  access: RequestAccess;
  requestId: string | null;
}

/** Controllers are built per request with the services and the admitted caller (set by authentication). */
export const iocContainer: IocContainerFactory<Request> = (request): IocContainer => ({
  get: <T>(controller: unknown) => {
    const Controller = controller as new (context: RequestContext) => T;
    const requestId = request.res?.getHeader('request-id');
    return new Controller({ services: servicesOf(request), access: request.user as RequestAccess, requestId: typeof requestId === 'string' ? requestId : null });
  },
});

export function servicesOf(request: Request): Services {
  return request.app.locals.services as Services;
}

declare module 'express-serve-static-core' {
  interface Request {
    user?: unknown;
  }
}
