import { asQueryable, type PrismaClient } from '../../db/client.js';
import { lockBlob, lockSpaceAttachments } from '../../db/stores/attachment.store.js';
import {
  deleteIfUnreferenced,
  markUnreferenced,
  releaseAttachmentBytes,
  sweepCandidates,
} from '../../db/stores/attachment-sweep.store.js';
import type { AttachmentStorage } from './storage.js';

export interface SweepResult {
  /** Attachments found unreferenced for the first time (their grace period starts now). */
  marked: number;
  /** Attachment rows deleted (unreferenced for longer than the grace period). */
  deleted: number;
  /** Bytes taken off the spaces' attachment_used (content a space no longer holds at all). */
  bytesReleased: bigint;
  /** Blobs removed from the store (content no row of any space refers to any more). */
  blobsRemoved: number;
}

export interface SweeperOptions {
  /** How long an attachment stays unreferenced before it is deleted, ms. */
  graceMs: number;
  /** Attachments deleted per sweep at most (the rest waits for the next sweep). */
  batch?: number;
  now?: () => Date;
}

/**
 * Deletes attachments that no cell refers to any more, after a grace period (an upload is unreferenced until a
 * write puts its token in a cell; a cell cleared by mistake can be set again meanwhile). A sweep marks what it finds
 * unreferenced, unmarks what is referenced again, then deletes what has been marked for longer than the grace
 * period, one attachment per transaction, holding the upload path's locks (the space's accounting, the blob):
 * the space's `attachment_used` goes down by the content it no longer holds, and a blob no row refers to is removed.
 */
export function createAttachmentSweeper(
  deps: { prisma: PrismaClient; storage: AttachmentStorage },
  options: SweeperOptions,
) {
  const now = options.now ?? (() => new Date());
  const batch = options.batch ?? 1_000;
  let running: Promise<SweepResult> | undefined;

  async function run(): Promise<SweepResult> {
    const { prisma, storage } = deps;
    const at = now();
    const marked = await markUnreferenced(asQueryable(prisma), at);
    const cutoff = new Date(at.getTime() - options.graceMs);
    const result: SweepResult = { marked, deleted: 0, bytesReleased: 0n, blobsRemoved: 0 };
    for (const candidate of await sweepCandidates(asQueryable(prisma), cutoff, batch)) {
      await prisma.$transaction(async (tx) => {
        await lockSpaceAttachments(tx, candidate.spaceId);
        await lockBlob(tx, candidate.sha256);
        const outcome = await deleteIfUnreferenced(tx, candidate, cutoff);
        if (!outcome.deleted) return;
        result.deleted += 1;
        if (!outcome.spaceHoldsBlob) {
          await releaseAttachmentBytes(tx, candidate.spaceId, candidate.size);
          result.bytesReleased += candidate.size;
        }
        // Last, under the blob's lock: no upload of the same bytes can be committing its row now.
        if (!outcome.anyHoldsBlob && (await storage.remove(candidate.sha256))) result.blobsRemoved += 1;
      });
    }
    return result;
  }

  return {
    /** One sweep; a sweep asked for while one runs shares that one. */
    sweep(): Promise<SweepResult> {
      running ??= run().finally(() => {
        running = undefined;
      });
      return running;
    },
    /** The sweep running now, if any (for shutdown to wait on). */
    idle: async (): Promise<void> => {
      await running?.catch(() => undefined);
    },
  };
}

export type AttachmentSweeper = ReturnType<typeof createAttachmentSweeper>;
