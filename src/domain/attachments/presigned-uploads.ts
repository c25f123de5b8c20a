import { createHash } from 'node:crypto';
import type { PrismaClient } from '../../db/client.js';
import type { Tx } from '../../db/tx.js';
import type { Scope } from '../context.js';
import { DomainError, invalidArgument } from '../errors.js';
import { newId, randomBase62 } from '../ids.js';
import { newAttachmentToken, type AttachmentService, type UploadedAttachment } from './attachment.service.js';
import type { BlobSource } from './storage.js';
import { releaseSource } from './storage.js';

/** The reference's bounds on `count` (aitable-fusion-api.md §2.9). */
export const PRESIGNED_MIN_COUNT = 1;
export const PRESIGNED_MAX_COUNT = 20;
/** How long an upload URL stays usable. */
export const PRESIGNED_TTL_MS = 60 * 60 * 1000;
/** Upload capabilities are recognisable (and redacted from logs) by this prefix, like API tokens' `tbk_`. */
export const UPLOAD_SECRET_PREFIX = 'tbu_';
const SECRET_RANDOM_LENGTH = 43;
/** Used or expired slots are kept this long after expiry (to answer "already used" / "expired"), then purged. */
const PURGE_AFTER_MS = 24 * 60 * 60 * 1000;

export const UPLOAD_URL_INVALID = 'The upload URL is not valid';
export const UPLOAD_URL_USED = 'The upload URL was already used; request a new one';
export const UPLOAD_URL_EXPIRED = 'The upload URL has expired; request a new one';

export interface PresignedSlot {
  /** The attachment token the file will have: put it (with a name) in an Attachment cell after the upload. */
  token: string;
  /** Absolute URL; its capability is the only credential the upload needs. */
  uploadUrl: string;
  uploadRequestMethod: 'PUT';
}

export interface PresignedUploadDeps {
  prisma: PrismaClient;
  attachments: AttachmentService;
  /** The absolute URL an upload capability is used at. */
  uploadUrl: (secret: string) => string;
  ttlMs?: number | undefined;
  now?: (() => Date) | undefined;
}

const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

/**
 * Pre-signed uploads, S3 style: an editor asks for up to 20 slots; each is an unguessable, single-use,
 * expiring URL that takes the raw bytes of one file without any other credential. The bytes go through
 * the attachment service like a multipart upload (sniffing, size cap, capacity at upload time), and the
 * slot is claimed in the same transaction that records the file, so a slot is used at most once and a
 * refused upload leaves both the slot and the space as they were.
 */
export function createPresignedUploadService(deps: PresignedUploadDeps) {
  const { prisma, attachments } = deps;
  const ttlMs = deps.ttlMs ?? PRESIGNED_TTL_MS;
  const now = deps.now ?? (() => new Date());

  async function issue(scope: Scope, datasheetId: string, count: number): Promise<PresignedSlot[]> {
    if (!Number.isInteger(count) || count < PRESIGNED_MIN_COUNT || count > PRESIGNED_MAX_COUNT) {
      throw invalidArgument(`count must be an integer from ${PRESIGNED_MIN_COUNT} to ${PRESIGNED_MAX_COUNT}`, {
        parameter: 'count',
      });
    }
    await attachments.assertCapacityLeft(scope.spaceId);
    const expiresAt = new Date(now().getTime() + ttlMs);
    const slots = Array.from({ length: count }, () => ({
      id: newId('upload'),
      secret: UPLOAD_SECRET_PREFIX + randomBase62(SECRET_RANDOM_LENGTH),
      token: newAttachmentToken(scope.spaceId),
    }));
    await prisma.presignedUpload.createMany({
      data: slots.map((slot) => ({
        id: slot.id,
        spaceId: scope.spaceId,
        datasheetId,
        token: slot.token,
        secretHash: hashSecret(slot.secret),
        createdBy: scope.userId,
        expiresAt,
      })),
    });
    return slots.map((slot) => ({
      token: slot.token,
      uploadUrl: deps.uploadUrl(slot.secret),
      uploadRequestMethod: 'PUT' as const,
    }));
  }

  /** Stores the bytes sent to an upload URL as the slot's attachment; refuses unknown, used and expired slots. */
  async function upload(
    secret: string,
    input: { name: string; data: BlobSource; declaredBytes?: number | undefined },
  ): Promise<UploadedAttachment> {
    const slot = secret.startsWith(UPLOAD_SECRET_PREFIX)
      ? await prisma.presignedUpload.findUnique({ where: { secretHash: hashSecret(secret) } })
      : null;
    const refusal = slot ? refusalOf(slot, now()) : UPLOAD_URL_INVALID;
    if (refusal || !slot) {
      releaseSource(input.data);
      throw refused(refusal ?? UPLOAD_URL_INVALID);
    }
    return attachments.upload({
      spaceId: slot.spaceId,
      userId: slot.createdBy,
      name: input.name,
      data: input.data,
      declaredBytes: input.declaredBytes,
      token: slot.token,
      claim: (tx) => claim(tx, slot.id),
    });
  }

  /** Marks the slot used, if it still may be; concurrent uploads of one slot serialize on its row. */
  async function claim(tx: Tx, slotId: string): Promise<void> {
    const at = now();
    const { count } = await tx.presignedUpload.updateMany({
      where: { id: slotId, usedAt: null, expiresAt: { gt: at } },
      data: { usedAt: at },
    });
    if (count === 1) return;
    const slot = await tx.presignedUpload.findUnique({ where: { id: slotId } });
    throw refused((slot && refusalOf(slot, at)) ?? UPLOAD_URL_INVALID);
  }

  /** Deletes slots that expired more than a day ago (used or not); returns how many. */
  async function purgeExpired(): Promise<number> {
    const { count } = await prisma.presignedUpload.deleteMany({
      where: { expiresAt: { lt: new Date(now().getTime() - PURGE_AFTER_MS) } },
    });
    return count;
  }

  return { issue, upload, purgeExpired };
}

export type PresignedUploadService = ReturnType<typeof createPresignedUploadService>;

function refusalOf(slot: { usedAt: Date | null; expiresAt: Date }, at: Date): string | undefined {
  if (slot.usedAt) return UPLOAD_URL_USED;
  if (slot.expiresAt.getTime() <= at.getTime()) return UPLOAD_URL_EXPIRED;
  return undefined;
}

/** The URL is the credential, so a refused one is a 403, as a bad signature is for S3. */
const refused = (message: string) => new DomainError('FORBIDDEN', message, { parameter: 'uploadUrl' });
