import type { Tx } from '../tx.js';

/**
 * Locks a node's row for the rest of the transaction, so that links created on it concurrently are
 * counted one after another and its link limit cannot be overshot. Undefined when the space has no such node.
 */
export async function lockNodeForEmbedLinks(
  tx: Tx,
  spaceId: string,
  nodeId: string,
): Promise<{ type: 'FOLDER' | 'DATASHEET' } | undefined> {
  const rows = await tx.$queryRawUnsafe<{ type: 'FOLDER' | 'DATASHEET' }[]>(
    `SELECT type::text AS type FROM nodes WHERE id = $1 AND space_id = $2 FOR UPDATE`,
    nodeId,
    spaceId,
  );
  return rows[0];
}
