import type { Readable } from 'node:stream';
import type { PrismaClient } from '../../db/client.js';
import { lockBlob, lockSpaceAttachments } from '../../db/stores/attachment.store.js';
import type { Tx } from '../../db/tx.js';
import { DomainError, invalidArgument, notFound } from '../errors.js';
import { newId, randomBase62 } from '../ids.js';
import { attachmentCapacityFor, GB } from '../limits.js';
import { attachmentUrl, metaFromRow, toCellItem, type AttachmentMeta } from './attachment-meta.js';
import { createContentProbe, sniffContent, type ContentProbe, type Sniffed } from './sniff.js';
import {
  BlobTooLargeError,
  releaseSource,
  type AttachmentStorage,
  type BlobSource,
  type StagedBlob,
} from './storage.js';

/** AITable's upload limit (its Java backend's MAX_FILE_SIZE). */
export const MAX_ATTACHMENT_BYTES = 1 * GB;
export const ATTACHMENT_NAME_MAX = 255;
export const CAPACITY_EXCEEDED_MESSAGE = 'The Space has reached its maximum attachment capacity';
const TOKEN_RANDOM_LENGTH = 32;

export interface AttachmentServiceDeps {
  prisma: PrismaClient;
  storage: AttachmentStorage;
  /** Base URL clients reach this server at; download urls are `${publicUrl}/attachments/<token>`. */
  publicUrl: string;
  /** Largest single upload; defaults to MAX_ATTACHMENT_BYTES. */
  maxFileBytes?: number | undefined;
}

export interface UploadInput {
  spaceId: string;
  userId?: string | null | undefined;
  /** The file name as the client gave it. */
  name: string;
  /** A Buffer or a byte stream (e.g. a multipart file part). The service consumes it, or destroys it when it refuses. */
  data: BlobSource;
  /** The token the attachment gets (a pre-signed slot's); a fresh one when absent. */
  token?: string | undefined;
  /**
   * Runs first in the transaction that records the upload; throwing refuses the upload and stores nothing
   * (a pre-signed slot is claimed here, so that only one upload can use it).
   */
  claim?: ((tx: Tx) => Promise<void>) | undefined;
  /**
   * The size the request announces (its Content-Length, framing included): past what the upload may take
   * plus DECLARED_SIZE_SLACK, it is refused before a byte of the file is read.
   */
  declaredBytes?: number | undefined;
}

/** Room for multipart framing (boundaries, part headers) in a declared request size. */
export const DECLARED_SIZE_SLACK = 64 * 1024;

export type UploadedAttachment = AttachmentMeta & { url: string };

export interface OpenedAttachment {
  stream: Readable;
  mimeType: string;
  size: number;
  name: string;
}

/**
 * Uploads are content-addressed blobs plus one row per upload. Re-uploading bytes a space already holds
 * makes a new row (own id, token and name) over the same blob, and the space's `attachment_used` counts
 * distinct content once; it only grows when a space receives bytes it did not hold before.
 */
export function createAttachmentService(deps: AttachmentServiceDeps) {
  const { prisma, storage } = deps;
  const maxFileBytes = deps.maxFileBytes ?? MAX_ATTACHMENT_BYTES;
  const url = (token: string) => attachmentUrl(deps.publicUrl, token);

  async function upload(input: UploadInput): Promise<UploadedAttachment> {
    let name: string;
    let limit: StreamLimit;
    try {
      name = validateName(input.name);
      limit = await streamLimit(input.spaceId, input.data instanceof Uint8Array);
      if (input.declaredBytes !== undefined && input.declaredBytes > limit.bytes + DECLARED_SIZE_SLACK)
        throw limit.by === 'capacity' ? capacityExceeded() : fileTooLarge(maxFileBytes);
    } catch (error) {
      releaseSource(input.data);
      throw error;
    }
    const probe = createContentProbe();
    const staged = await stage(input.data, probe, limit);
    try {
      const sniffed = await sniffContent(probe.finish(), name, staged.open);
      const row = await prisma.$transaction((tx) => record(tx, input, name, staged, sniffed));
      return { ...metaFromRow(row), url: url(row.token) };
    } catch (error) {
      await staged.discard().catch(() => {});
      throw error;
    }
  }

  /**
   * How many bytes to accept before giving up: the file limit, and for a stream also what is left of the
   * space's capacity, so an oversized stream cannot fill the disk before the exact check at commit refuses
   * it. (So a stream re-uploading content the space already holds is refused when it is larger than what is
   * left; a Buffer's bytes are in hand already and only meet the exact check, which counts them once.)
   */
  async function streamLimit(spaceId: string, inHand: boolean): Promise<StreamLimit> {
    const space = await prisma.space.findUnique({
      where: { id: spaceId },
      select: { plan: true, attachmentCapacity: true, attachmentUsed: true },
    });
    if (!space) throw notFound(`Space ${spaceId} does not exist`, { parameter: 'space' });
    const left = attachmentCapacityFor(space.plan, space.attachmentCapacity) - space.attachmentUsed;
    if (inHand || left >= BigInt(maxFileBytes)) return { bytes: maxFileBytes, by: 'file' };
    if (left < 0n) throw capacityExceeded();
    return { bytes: Number(left), by: 'capacity' };
  }

  async function stage(data: BlobSource, probe: ContentProbe, limit: StreamLimit): Promise<StagedBlob> {
    try {
      return await storage.stage(observed(data, probe), { maxBytes: limit.bytes });
    } catch (error) {
      releaseSource(data);
      if (!(error instanceof BlobTooLargeError)) throw error;
      throw limit.by === 'capacity' ? capacityExceeded() : fileTooLarge(maxFileBytes);
    }
  }

  /** Accounts for the blob and records the row, then publishes the blob; all or nothing. */
  async function record(tx: Tx, input: UploadInput, name: string, blob: StagedBlob, sniffed: Sniffed) {
    await input.claim?.(tx);
    const space = await lockSpaceAttachments(tx, input.spaceId);
    if (!space) throw notFound(`Space ${input.spaceId} does not exist`, { parameter: 'space' });
    await lockBlob(tx, blob.sha256);
    const held = await tx.attachment.findFirst({
      where: { spaceId: input.spaceId, sha256: blob.sha256 },
      select: { id: true },
    });
    if (!held) {
      const size = BigInt(blob.size);
      if (space.used + size > attachmentCapacityFor(space.plan, space.capacity)) throw capacityExceeded();
      await tx.space.update({ where: { id: input.spaceId }, data: { attachmentUsed: { increment: size } } });
    }
    const row = await tx.attachment.create({
      data: {
        id: newId('attachment'),
        spaceId: input.spaceId,
        token: input.token ?? newAttachmentToken(input.spaceId),
        sha256: blob.sha256,
        name,
        mimeType: sniffed.mimeType,
        size: BigInt(blob.size),
        width: sniffed.width ?? null,
        height: sniffed.height ?? null,
        createdBy: input.userId ?? null,
      },
    });
    // Last, so a refused row never publishes a blob; if the commit itself then fails, the blob stays behind
    // unreferenced (harmless, and only then).
    await blob.commit();
    return row;
  }

  /** Metadata of the space's attachments among `tokens`; tokens of other spaces are not found. */
  async function findByTokens(spaceId: string, tokens: Iterable<string>): Promise<Map<string, AttachmentMeta>> {
    const wanted = [...new Set(tokens)].filter((token) => typeof token === 'string' && token !== '');
    if (wanted.length === 0) return new Map();
    const rows = await prisma.attachment.findMany({ where: { spaceId, token: { in: wanted } } });
    return new Map(rows.map((row) => [row.token, metaFromRow(row)]));
  }

  /** The file behind a token, for downloads; with `spaceId`, only that space's files are found. */
  async function open(token: string, spaceId?: string): Promise<OpenedAttachment> {
    const row = await prisma.attachment.findUnique({ where: { token } });
    if (!row || (spaceId !== undefined && row.spaceId !== spaceId)) {
      throw notFound('The attachment specified by the token does not exist', { parameter: 'token' });
    }
    // A row whose blob is gone is damage, not a client error: storage's BlobNotFoundError goes up unmapped.
    const stream = await storage.open(row.sha256);
    return { stream, mimeType: row.mimeType, size: Number(row.size), name: row.name };
  }

  /** Refuses (426) when the space has no attachment capacity left, before anything is uploaded. */
  async function assertCapacityLeft(spaceId: string): Promise<void> {
    const { used, capacity } = await usage(spaceId);
    if (used >= capacity) throw capacityExceeded();
  }

  async function usage(spaceId: string): Promise<{ used: number; capacity: number }> {
    const space = await prisma.space.findUnique({ where: { id: spaceId } });
    if (!space) throw notFound(`Space ${spaceId} does not exist`, { parameter: 'space' });
    return {
      used: Number(space.attachmentUsed),
      capacity: Number(attachmentCapacityFor(space.plan, space.attachmentCapacity)),
    };
  }

  return { upload, findByTokens, open, usage, assertCapacityLeft, toCellItem, url };
}

export type AttachmentService = ReturnType<typeof createAttachmentService>;

/** `<spaceId>/<random>`: the opaque handle clients put in Attachment cells. */
export const newAttachmentToken = (spaceId: string) => `${spaceId}/${randomBase62(TOKEN_RANDOM_LENGTH)}`;

interface StreamLimit {
  bytes: number;
  by: 'capacity' | 'file';
}

/** Passes the upload through unchanged while the probe watches it. */
async function* observed(data: BlobSource, probe: ContentProbe): AsyncGenerator<Uint8Array> {
  if (data instanceof Uint8Array) {
    probe.observe(data);
    yield data;
    return;
  }
  for await (const chunk of data) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    probe.observe(bytes);
    yield bytes;
  }
}

/** Trimmed, control characters removed (they would break headers and listings), 1..255 characters. */
function validateName(raw: unknown): string {
  const name = typeof raw === 'string' ? raw.replace(/\p{Cc}/gu, '').trim() : '';
  if (!name) throw invalidArgument("Attachment name can't be empty", { parameter: 'name' });
  if ([...name].length > ATTACHMENT_NAME_MAX) {
    throw invalidArgument(`Attachment name must not be longer than ${ATTACHMENT_NAME_MAX} characters`, {
      parameter: 'name',
    });
  }
  return name;
}

const capacityExceeded = () => new DomainError('ATTACHMENT_CAPACITY_REACHED', CAPACITY_EXCEEDED_MESSAGE);

function fileTooLarge(maxBytes: number) {
  const shown = maxBytes % GB === 0 ? `${maxBytes / GB} GB` : `${maxBytes} bytes`;
  return new DomainError('ATTACHMENT_TOO_LARGE', `The attachment size exceeds ${shown}`, {
    parameter: 'file',
    limit: maxBytes,
  });
}
