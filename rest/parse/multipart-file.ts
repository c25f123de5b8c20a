import type { Request } from 'express';
import busboy from 'busboy';
import { invalidArgument, DomainError, ErrorCode } from '../../src/domain/errors.js';

export interface IncomingFile {
  name: string;
  /** Bytes of the file; it ends only once the whole request was read, and fails if a second file came. */
  data: AsyncIterable<Uint8Array>;
}

/**
 * The one file of a multipart upload, whatever its part is called (`file` for the JS SDK, `files` for the
 * Python one). The last chunk is held back until the request body has been read to its end, so a
 * request with a second file fails before anything is stored.
 */
export function multipartFile(request: Request, consume: (file: IncomingFile) => Promise<unknown>): Promise<unknown> {
  if (!request.headers['content-type']?.startsWith('multipart/form-data')) {
    return Promise.reject(invalidArgument("Attachment name can't be empty ", { parameter: 'file' }));
  }
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: request.headers, limits: { files: 1, fields: 20 } });
    } catch {
      reject(invalidArgument('The request is not a valid multipart body', { parameter: 'file' }));
      return;
    }
    let secondFile = false;
    let sawFile = false;
    const ended = new Promise<void>((done, fail) => {
      parser.on('close', done);
      parser.on('error', fail);
    });
    ended.catch(() => {});
    parser.on('filesLimit', () => (secondFile = true));
    parser.on('file', (_field, stream, info) => {
      sawFile = true;
      async function* held(): AsyncGenerator<Uint8Array> {
        let last: Uint8Array | undefined;
        for await (const chunk of stream as AsyncIterable<Uint8Array>) {
          if (last) yield last;
          last = chunk;
        }
        await ended;
        if (secondFile) throw new DomainError(ErrorCode.LIMIT_EXCEEDED, 'You have uploaded the maximum number of attachments', { fusionCode: 428, parameter: 'file' });
        if (last) yield last;
      }
      consume({ name: info.filename ?? '', data: held() }).then(resolve, reject);
    });
    ended.then(() => {
      if (!sawFile) reject(invalidArgument('No file in the upload: send one multipart file part', { parameter: 'file' }));
    }, reject);
    request.pipe(parser);
  });
}
