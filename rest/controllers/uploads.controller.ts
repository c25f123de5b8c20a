import type { Request as ExpressRequest } from 'express';
import { Controller, Path, Put, Request, Route, Tags } from '@tsoa/runtime';
import { success, type SuccessEnvelope } from '../envelope.js';
import { MalformedRequest } from '../errors.js';
import type { RequestContext } from '../ioc.js';
import { declaredLength } from '../parse/content-length.js';
import { dispositionFileName } from '../parse/content-disposition.js';
import type { AttachmentVo } from './attachments.controller.js';

/** The name a file gets when its upload does not say (no Content-Disposition file name). */
const DEFAULT_UPLOAD_NAME = 'file';

@Route('v1/uploads')
@Tags('Attachments')
export class UploadsController extends Controller {
  constructor(private readonly ctx: RequestContext) {
    super();
  }

  /**
   * The `uploadUrl` of a pre-signed slot (GET …/attachments/presignedUrl): the request body is the file's raw
   * bytes, any content type. No Authorization header: the unguessable URL is the credential, usable once and
   * for an hour. The type is sniffed from the bytes; `Content-Disposition: attachment; filename="…"` names
   * the file. Answers the same attachment object as the multipart upload. An unknown, used or expired URL
   * is refused (HTTP 403, code 403) and stores nothing; so is a file over the size cap or the space's capacity.
   */
  @Put('{uploadToken}')
  public async putPresignedUpload(
    @Path() uploadToken: string,
    @Request() request: ExpressRequest,
  ): Promise<SuccessEnvelope<AttachmentVo>> {
    await this.ctx.services.access.meterAddress(request.socket.remoteAddress);
    const name = dispositionFileName(request.get('content-disposition')) ?? DEFAULT_UPLOAD_NAME;
    const { id: _id, ...vo } = await this.ctx.services.uploads.upload(uploadToken, {
      name,
      data: bodyOf(request),
      declaredBytes: declaredLength(request),
    });
    return success(vo);
  }
}

/**
 * The request body as bytes, behind a generator so that a refused upload stops reading it without
 * destroying the request (the connection must stay up for the answer). A body that ends before its
 * declared length is the client's fault, refused as such (nothing is stored, the slot stays unused).
 */
async function* bodyOf(request: ExpressRequest): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of request as AsyncIterable<Uint8Array>) yield chunk;
  } catch {
    throw new MalformedRequest('file', 'Invalid value for file: the upload ended before its declared length');
  }
  if (!request.complete)
    throw new MalformedRequest('file', 'Invalid value for file: the upload ended before its declared length');
}
