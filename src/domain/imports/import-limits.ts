import { DEFAULT_MAX_TEXT_CELL_LENGTH } from '../limits.js';
import type { ReadLimits } from './file-rows.js';

/** Bytes of one file to import (an upload or an attachment). */
export const MAX_IMPORT_FILE_BYTES = 256 * 2 ** 20;
/** Bytes an XLSX file's zip may expand to. */
export const MAX_IMPORT_UNCOMPRESSED_BYTES = 2 * 2 ** 30;

export interface ImportLimits extends ReadLimits {
  maxFileBytes: number;
}

export const DEFAULT_IMPORT_LIMITS: ImportLimits = {
  maxFileBytes: MAX_IMPORT_FILE_BYTES,
  maxRows: 2_000_000,
  maxColumns: 500,
  maxCellChars: DEFAULT_MAX_TEXT_CELL_LENGTH,
  maxUncompressedBytes: MAX_IMPORT_UNCOMPRESSED_BYTES,
  maxZipEntries: 10_000,
};

/** A running job renews its heartbeat after each chunk; one silent this long was interrupted (its process stopped). */
export const IMPORT_HEARTBEAT_LAPSE_MS = 5 * 60 * 1000;
