import type { Database } from './db/client.js';
import { isReady } from './db/migrate.js';
import { createSpaceService } from './domain/spaces/space.service.js';
import { createTokenService } from './domain/tokens/token.service.js';

/** Explicit wiring of the domain services over one database; both transports read from this object. */
export function createServices(db: Database, expectedMigrations: number) {
  return {
    spaces: createSpaceService(db.prisma),
    tokens: createTokenService(db.prisma),
    health: {
      /** Database answers and every migration is applied. */
      ready: () => isReady(db, expectedMigrations).catch(() => false),
    },
  };
}

export type Services = ReturnType<typeof createServices>;
