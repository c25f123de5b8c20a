import { asQueryable, type PrismaClient } from '../../db/client.js';
import type { Tx } from '../../db/tx.js';
import type { ChangeBus, ChangeEvent } from './change-bus.js';

/**
 * Runs a schema write (datasheets, fields, views) in one Prisma transaction: `fn`'s change events are written into
 * the change feed as the transaction's last work, and published on the in-process bus once it committed. Schema
 * writes of one datasheet are serialized by the row lock of its revision bump (and the feed's sequence row).
 */
export async function inSchemaTransaction<T extends { events: ChangeEvent[] }>(
  prisma: PrismaClient,
  bus: ChangeBus,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  const out = await prisma.$transaction(async (tx) => {
    const result = await fn(tx);
    await bus.record(asQueryable(tx), result.events);
    return result;
  });
  bus.publish(out.events);
  return out;
}
