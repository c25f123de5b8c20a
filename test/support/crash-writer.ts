/**
 * Child process for the crash test: opens the installation like the server does, then commits batches
 * forever, each one transaction of BATCH folder nodes that lingers before COMMIT so a SIGKILL can land
 * inside it. Prints `committed <n>` only after a commit returned.
 */
import { loadConfig } from '../../src/config.js';
import { newId } from '../../src/domain/ids.js';
import { openInstallation } from '../../src/installation.js';

export const BATCH = 400;

const config = loadConfig();
const installation = await openInstallation(config, { role: 'server' });
const { prisma } = installation.db;
const space = await prisma.space.create({ data: { id: newId('space'), name: 'crash' } });
process.stdout.write(`space ${space.id}\n`);
for (let n = 0; ; n++) {
  await prisma.$transaction(
    async (tx) => {
      await tx.node.createMany({
        data: Array.from({ length: BATCH }, (_, i) => ({
          id: newId('folder'),
          spaceId: space.id,
          type: 'FOLDER' as const,
          name: `batch-${n}`,
          position: i,
        })),
      });
      await new Promise((r) => setTimeout(r, 30));
    },
    { timeout: 60_000 },
  );
  process.stdout.write(`committed ${n}\n`);
}
