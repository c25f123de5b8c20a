import type { Request } from 'express';
import type { IocContainer, IocContainerFactory } from '@tsoa/runtime';
import type { Actor } from '../src/domain/context.js';
import type { Services } from '../src/services.js';

/** Controllers are built per request with the services and the authenticated actor. */
export const iocContainer: IocContainerFactory<Request> = (request): IocContainer => ({
  get: <T>(controller: unknown) => {
    const Controller = controller as new (services: Services, actor: Actor) => T;
    return new Controller(servicesOf(request), request.user as Actor);
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
