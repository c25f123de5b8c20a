import type { Readable } from 'node:stream';
import { fileTypeFromBuffer, fileTypeFromStream } from 'file-type';
import { imageSize } from 'image-size';

/** Bytes kept from the start of an upload for image headers; image-size itself reads at most 512 KB of a file. */
export const HEAD_BYTES = 512 * 1024;

/**
 * Text whose extension names a more precise text type. Only consulted for content that file-type does not
 * recognise *and* that is valid UTF-8 without NUL bytes, so an extension can never turn bytes into a type
 * they are not. Types a browser would execute (html, svg, js) are deliberately absent: they stay text/plain.
 */
const TEXT_TYPE_BY_EXTENSION: Readonly<Record<string, string>> = {
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  json: 'application/json',
  md: 'text/markdown',
  markdown: 'text/markdown',
};

export interface ProbeResult {
  /** The first HEAD_BYTES bytes (all of them for small uploads). */
  head: Buffer;
  size: number;
  /** `head` holds the whole content. */
  complete: boolean;
  /** Valid UTF-8 throughout and no NUL byte (vacuously true when empty). */
  text: boolean;
}

export interface ContentProbe {
  observe(chunk: Uint8Array): void;
  /** Call once, after the last chunk. */
  finish(): ProbeResult;
}

/** Watches an upload go by (without holding it) and keeps what sniffing needs. */
export function createContentProbe(headBytes = HEAD_BYTES): ContentProbe {
  const parts: Buffer[] = [];
  let kept = 0;
  let size = 0;
  let utf8: TextDecoder | undefined = new TextDecoder('utf-8', { fatal: true });
  return {
    observe(chunk) {
      size += chunk.byteLength;
      if (kept < headBytes) {
        const part = Buffer.from(chunk.subarray(0, headBytes - kept));
        parts.push(part);
        kept += part.byteLength;
      }
      if (utf8 && (chunk.includes(0) || !decodes(utf8, chunk))) utf8 = undefined;
    },
    finish() {
      const text = utf8 !== undefined && decodes(utf8);
      return { head: Buffer.concat(parts), size, complete: kept === size, text };
    },
  };
}

export interface Sniffed {
  mimeType: string;
  width?: number;
  height?: number;
}

/**
 * The type of an upload, from its bytes only (a type the client declares is never consulted): file-type's
 * magic numbers first, reading the whole blob through `open` when the head is not all of it; otherwise
 * text/plain (or a text type by extension, see above) for UTF-8 text, application/octet-stream for the rest.
 * Images also get their pixel size when image-size can read it from the head.
 */
export async function sniffContent(probe: ProbeResult, name: string, open: () => Readable): Promise<Sniffed> {
  const detected = probe.complete ? await fileTypeFromBuffer(probe.head) : await fileTypeFromStream(open());
  const mimeType = detected?.mime ?? (probe.text ? textType(name) : 'application/octet-stream');
  return { mimeType, ...(mimeType.startsWith('image/') ? dimensions(probe.head) : {}) };
}

function textType(name: string): string {
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  return TEXT_TYPE_BY_EXTENSION[extension] ?? 'text/plain';
}

function dimensions(head: Buffer): { width?: number; height?: number } {
  try {
    // A copy with an ArrayBuffer of its own: image-size reads through DataViews that are not bounded by the
    // view's length, so on a pooled Buffer a truncated header would be completed with unrelated bytes.
    const { width, height } = imageSize(new Uint8Array(head));
    return isPixels(width) && isPixels(height) ? { width, height } : {};
  } catch {
    // Not an image image-size understands, or its header lies beyond the head: no dimensions, no failure.
    return {};
  }
}

const isPixels = (n: unknown): n is number => Number.isInteger(n) && (n as number) > 0;

/** Feeds `chunk` to a streaming strict decoder (or flushes it when absent); false on invalid UTF-8. */
function decodes(decoder: TextDecoder, chunk?: Uint8Array): boolean {
  try {
    if (chunk) decoder.decode(chunk, { stream: true });
    else decoder.decode();
    return true;
  } catch {
    return false;
  }
}
