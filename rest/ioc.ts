import type { Request } from 'express';
import type { IocContainer, IocContainerFactory } from '@tsoa/runtime';
import type { Services } from '../src/services.js';
import type { Admission } from '../src/domain/access/access.service.js';
import type { Actor } from '../src/domain/context.js';

/** An admitted request: the caller, its scope and the rate decision (set by authentication). */
export interface RequestAccess extends Admission {
  actor: Actor;
}

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
    return new Controller({
      services: servicesOf(request),
      access: request.user as RequestAccess,
      requestId: typeof requestId === 'string' ? requestId : null,
    });
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
