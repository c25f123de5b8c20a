import type { Request } from 'express';
import busboy from 'busboy';
import { invalidArgument, DomainError } from '../../src/domain/errors.js';
import { MalformedRequest } from '../errors.js';

export interface IncomingFile {
  name: string;
  /** Bytes of the file; it ends only once the whole request was read, and fails if a second file came. */
  data: AsyncIterable<Uint8Array>;
}

/** A multipart body that ends early or breaks its own syntax (busboy's faults, the request aborting). */
const malformed = () =>
  new MalformedRequest('file', 'Invalid value for file: the request is not a complete multipart body');

/**
 * The one file of a multipart upload, whatever its part is called (`file` for the JS SDK, `files` for the
 * Python one). The last chunk is held back until the request body has been read to its end, so a
 * request with a second file fails before anything is stored. Every stream gets its error listener at once:
 * the file is read only after the consumer's own work (a database query), and an error emitted before then
 * with nobody listening would end the process.
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
    let consuming: Promise<unknown> | undefined;
    const ended = new Promise<void>((done, fail) => {
      parser.on('close', done);
      parser.on('error', () => fail(malformed()));
      request.on('close', () => request.complete || fail(malformed()));
    });
    ended.catch(() => {});
    parser.on('filesLimit', () => (secondFile = true));
    parser.on('file', (_field, stream, info) => {
      let broken = false;
      stream.on('error', () => (broken = true));
      async function* held(): AsyncGenerator<Uint8Array> {
        let last: Uint8Array | undefined;
        try {
          for await (const chunk of stream as AsyncIterable<Uint8Array>) {
            if (last) yield last;
            last = chunk;
          }
        } catch {
          throw malformed();
        }
        await ended;
        if (broken) throw malformed();
        if (secondFile)
          throw new DomainError('TOO_MANY_FILES', 'You have uploaded the maximum number of attachments', {
            parameter: 'file',
          });
        if (last) yield last;
      }
      consuming = consume({ name: info.filename ?? '', data: held() });
      consuming.then(resolve, reject);
    });
    // Without a file there is nothing to wait for: the body's own outcome answers (a fault, or no file).
    ended.then(
      () => {
        if (!consuming)
          reject(invalidArgument('No file in the upload: send one multipart file part', { parameter: 'file' }));
      },
      (error: unknown) => {
        if (!consuming) reject(error);
      },
    );
    request.pipe(parser);
  });
}
