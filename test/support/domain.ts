import type { ChangeEvent } from '../../src/domain/events/change-bus.js';
import type { Scope } from '../../src/domain/context.js';
import { testInstallation } from './db.js';

export type Inst = Awaited<ReturnType<typeof testInstallation>>;

/** A migrated installation with one space and its owner, plus a recorder of change events. */
export async function domainFixture() {
  const inst = await testInstallation();
  const space = await inst.services.spaces.create({ name: 'Domain tests' });
  const scope: Scope = { spaceId: space.id, userId: space.ownerId };
  const events: ChangeEvent[] = [];
  inst.services.events.subscribe((e) => events.push(e));
  return { inst, services: inst.services, scope, space, events };
}
