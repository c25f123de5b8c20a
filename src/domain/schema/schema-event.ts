import type { Tx } from '../../db/tx.js';
import type { Scope } from '../context.js';
import type { SchemaChangedEvent } from '../events/change-bus.js';

/** Bumps the datasheet's revision and schema revision for a schema change, answering the change's event. */
export async function schemaChange(
  tx: Tx,
  scope: Scope,
  datasheetId: string,
  change: SchemaChangedEvent['change'],
  targetId: string,
): Promise<SchemaChangedEvent> {
  const updated = await tx.datasheet.update({
    where: { id: datasheetId },
    data: { revision: { increment: 1 }, schemaRevision: { increment: 1 } },
  });
  return schemaChangedEvent(scope, datasheetId, change, targetId, {
    revision: Number(updated.revision),
    at: new Date(),
  });
}

/** The event of a schema change that moved the datasheet to `revision`. */
export function schemaChangedEvent(
  scope: Scope,
  datasheetId: string,
  change: SchemaChangedEvent['change'],
  targetId: string,
  { revision, at }: { revision: number; at: Date },
): SchemaChangedEvent {
  return {
    type: 'schema.changed',
    spaceId: scope.spaceId,
    datasheetId,
    revision,
    actorId: scope.userId,
    at,
    change,
    targetId,
  };
}
