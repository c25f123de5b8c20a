import type { Request } from 'express';
import { invalidArgument } from '../../src/domain/errors.js';
import { multipartForm, type IncomingFile } from './multipart-form.js';

export type { IncomingFile };

/**
 * The one file of a multipart upload, whatever its part is called (`file` for the JS SDK, `files` for the
 * Python one); text fields are ignored. The file's bytes, the held-back last chunk and the refusals of a
 * truncated body or a second file are multipartForm's.
 */
export function multipartFile(request: Request, consume: (file: IncomingFile) => Promise<unknown>): Promise<unknown> {
  if (!request.headers['content-type']?.startsWith('multipart/form-data')) {
    return Promise.reject(invalidArgument("Attachment name can't be empty ", { parameter: 'file' }));
  }
  return multipartForm(
    request,
    (_fields, file) =>
      file
        ? consume(file)
        : Promise.reject(invalidArgument('No file in the upload: send one multipart file part', { parameter: 'file' })),
    { tooManyFiles: 'You have uploaded the maximum number of attachments', ignoreFields: true },
  );
}
