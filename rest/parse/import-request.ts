import type { Request } from 'express';
import { invalidArgument } from '../../src/domain/errors.js';
import type { ImportJobView } from '../../src/domain/imports/import.service.js';
import type { RequestContext } from '../ioc.js';
import { multipartForm } from './multipart-form.js';

const text = (value: unknown, parameter: string): string | undefined => {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalidArgument(`${parameter} must be a string`, { parameter });
  return value;
};

/**
 * Starts an import from a request: multipart (`templateId`, `mapping` as JSON text, `datasheetName`, then the `file`
 * part) or JSON (`attachmentToken`, `templateId`, `mapping`, `datasheetName`).
 */
export function startImport(
  ctx: RequestContext,
  request: Request,
  datasheetId: string | undefined,
): Promise<ImportJobView> {
  const start = (fields: Record<string, unknown>, file?: { name: string; data: AsyncIterable<Uint8Array> }) =>
    ctx.services.imports.start(ctx.access.scope, {
      datasheetId,
      templateId: text(fields.templateId, 'templateId'),
      datasheetName: text(fields.datasheetName, 'datasheetName'),
      mapping: fields.mapping,
      attachmentToken: text(fields.attachmentToken, 'attachmentToken'),
      file,
    });
  if (request.headers['content-type']?.startsWith('multipart/form-data'))
    return multipartForm(request, (fields, file) => start(fields, file));
  const body: unknown = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalidArgument('Send a multipart file upload or a JSON object with attachmentToken', { parameter: 'file' });
  return start(body as Record<string, unknown>);
}
