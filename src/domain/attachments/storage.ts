import type { Readable } from 'node:stream';

/**
 * Where attachment bytes live. Blobs are content-addressed: a blob's key is derived from its sha256 alone
 * (for the stores here the key *is* the lowercase hex sha256), so identical bytes are stored once whatever
 * space or row refers to them. Which rows refer to a blob is the database's business, not the store's.
 *
 * Writing is two-phase so that a blob only becomes visible once the database has accepted it:
 * `stage` streams the bytes somewhere private while hashing them; `commit` publishes them under the final
 * key (atomically, and without rewriting an identical blob already there); `discard` throws them away.
 * `put` is stage + commit for callers that need no such coordination.
 *
 * Deleting a blob is only safe when no row refers to it *and* no upload of the same bytes is committing;
 * whoever removes blobs must take the same per-blob lock the upload path takes (see attachment.store.ts).
 */
export interface AttachmentStorage {
  stage(data: BlobSource, options?: StageOptions): Promise<StagedBlob>;
  put(data: BlobSource, options?: StageOptions): Promise<StoredBlob & { created: boolean }>;
  /** The blob's bytes; rejects with BlobNotFoundError when there is no such blob. */
  open(key: string): Promise<Readable>;
  stat(key: string): Promise<{ size: number } | undefined>;
  /** True when a blob was removed, false when there was none. */
  remove(key: string): Promise<boolean>;
}

/** A Buffer, or any byte stream (a Node Readable is one). A stream is consumed, or destroyed on failure. */
export type BlobSource = Uint8Array | AsyncIterable<Uint8Array | string>;

export interface StageOptions {
  /** Refuse (BlobTooLargeError) as soon as more than this many bytes arrive; nothing is kept. */
  maxBytes?: number | undefined;
}

export interface StoredBlob {
  key: string;
  /** Lowercase hex. */
  sha256: string;
  size: number;
}

export interface StagedBlob extends StoredBlob {
  /** Reads the staged bytes (e.g. to sniff them) before they are committed. */
  open(): Readable;
  /** Publishes the blob under its key; `created` is false when an identical blob was already there. */
  commit(): Promise<{ created: boolean }>;
  /** Drops the staged bytes; a no-op after commit or a previous discard. */
  discard(): Promise<void>;
}

export class BlobTooLargeError extends Error {
  override name = 'BlobTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`Blob is larger than ${maxBytes} bytes`);
  }
}

export class BlobNotFoundError extends Error {
  override name = 'BlobNotFoundError';
  constructor(readonly key: string) {
    super(`Blob ${key} does not exist`);
  }
}

export const isBlobKey = (key: string) => /^[0-9a-f]{64}$/.test(key);

/** A stream nobody will read any further is destroyed, so its producer is not left waiting. */
export function releaseSource(data: BlobSource): void {
  const destroy = (data as { destroy?: unknown }).destroy;
  if (typeof destroy === 'function') destroy.call(data);
}
