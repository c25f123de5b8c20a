import type { Request } from 'express';
import busboy from 'busboy';
import { DomainError, invalidArgument } from '../../src/domain/errors.js';
import { MalformedRequest } from '../errors.js';

export interface IncomingFile {
  name: string;
  /** Bytes of the file; it ends only once the whole request was read, and fails if a second file came. */
  data: AsyncIterable<Uint8Array>;
}

export interface MultipartOptions {
  /** What a second file part is refused with (TOO_MANY_FILES, naming `file`). */
  tooManyFiles: string;
  /** The caller reads no text field: an over-long one is not refused. */
  ignoreFields?: boolean;
}

const MAX_FIELDS = 20;
const MAX_FIELD_BYTES = 1024 * 1024;

const malformed = () =>
  new MalformedRequest('file', 'Invalid value for file: the request is not a complete multipart body');

/**
 * A multipart form of text fields and at most one file, the fields sent before the file (they are read first and
 * given to `consume` with the file, whose bytes are read as `consume` reads them). The file's last chunk is held
 * back until the whole body was read, so a truncated body or a second file fails before the consumer takes the
 * file as whole. Without a file part, `consume` gets the fields alone once the body ends. Every stream gets its
 * error listener at once: the file is read only after the consumer's own work (a database query), and an error
 * emitted before then with nobody listening would end the process.
 */
export function multipartForm<T>(
  request: Request,
  consume: (fields: Record<string, string>, file: IncomingFile | undefined) => Promise<T>,
  options: MultipartOptions = { tooManyFiles: 'Send one file per import' },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: request.headers,
        limits: { files: 1, fields: MAX_FIELDS, fieldSize: MAX_FIELD_BYTES },
      });
    } catch {
      reject(invalidArgument('The request is not a valid multipart body', { parameter: 'file' }));
      return;
    }
    const fields: Record<string, string> = {};
    let secondFile = false;
    let truncatedField: string | undefined;
    let consuming: Promise<T> | undefined;
    const ended = new Promise<void>((done, fail) => {
      parser.on('close', done);
      parser.on('error', () => fail(malformed()));
      request.on('close', () => request.complete || fail(malformed()));
    });
    ended.catch(() => {});
    parser.on('filesLimit', () => (secondFile = true));
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated && !options.ignoreFields) truncatedField = name;
      fields[name] = value;
    });
    parser.on('file', (_name, stream, info) => {
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
        if (secondFile) throw new DomainError('TOO_MANY_FILES', options.tooManyFiles, { parameter: 'file' });
        if (last) yield last;
      }
      if (truncatedField) {
        stream.resume();
        reject(
          invalidArgument(`${truncatedField} is longer than ${MAX_FIELD_BYTES} bytes`, { parameter: truncatedField }),
        );
        return;
      }
      consuming = consume({ ...fields }, { name: info.filename ?? '', data: held() });
      consuming.then(resolve, reject);
    });
    ended.then(
      () => {
        if (consuming) return;
        if (truncatedField)
          return reject(
            invalidArgument(`${truncatedField} is longer than ${MAX_FIELD_BYTES} bytes`, { parameter: truncatedField }),
          );
        consume(fields, undefined).then(resolve, reject);
      },
      (error: unknown) => {
        if (!consuming) reject(error);
      },
    );
    request.pipe(parser);
  });
}
