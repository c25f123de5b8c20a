import { randomBytes } from 'node:crypto';

/** AITable's id prefixes (aitable-fusion-api.md §7.5); the rate limiter and the SDKs rely on them. */
export const ID_PREFIX = {
  space: 'spc',
  folder: 'fod',
  datasheet: 'dst',
  field: 'fld',
  view: 'viw',
  record: 'rec',
  user: 'usr',
  attachment: 'atc',
  option: 'opt',
  token: 'tkn',
  idempotency: 'idk',
  upload: 'upl',
  embedLink: 'emb',
  importTemplate: 'itp',
  importJob: 'imp',
  exportDownload: 'xdl',
  webhook: 'whk',
  webhookDelivery: 'whd',
} as const;

export type IdKind = keyof typeof ID_PREFIX;

/**
 * Tail lengths: AITable's generated ids use 10 characters; its Java-issued node ids are longer. An embed
 * link id is a capability (it opens the datasheet to anyone holding it), so it gets 24 (about 143 bits).
 */
const TAIL_LENGTH: Partial<Record<IdKind, number>> = { datasheet: 15, folder: 15, embedLink: 24 };

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Random bytes drawn in blocks: one system call per 4 KiB instead of one per id (batches make thousands). */
const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let offset = 0;

function nextByte(): number {
  if (offset === POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  return pool[offset++]!;
}

/** Uniform random base62 (rejection sampling: bytes >= 248 would bias the first 0..7 digits). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    const byte = nextByte();
    if (byte < 248) out += BASE62[byte % 62];
  }
  return out;
}

export function newId(kind: IdKind): string {
  return ID_PREFIX[kind] + randomBase62(TAIL_LENGTH[kind] ?? 10);
}

export function isId(kind: IdKind, value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(ID_PREFIX[kind]) && /^[a-z]{3}[0-9A-Za-z]{6,32}$/.test(value);
}
