import type { Request as ExpressRequest } from 'express';
import { Controller, Path, Post, Request, Route, Security, Tags } from '@tsoa/runtime';
import { success, type SuccessEnvelope } from '../envelope.js';
import type { RequestContext } from '../ioc.js';
import { multipartFile } from '../parse/multipart-file.js';

export interface AttachmentVo {
  token: string;
  name: string;
  size: number;
  mimeType: string;
  url: string;
  width?: number;
  height?: number;
}

@Route('v1/datasheets/{datasheetId}/attachments')
@Tags('Attachments')
export class AttachmentsController extends Controller {
  constructor(private readonly ctx: RequestContext) {
    super();
  }

  /** Uploads one file (multipart/form-data, any part name); put the answer's `token` and `name` in an Attachment cell. */
  @Post()
  @Security('bearer', ['attachments:write'])
  public async uploadAttachment(@Path('datasheetId') _datasheetId: string, @Request() request: ExpressRequest): Promise<SuccessEnvelope<AttachmentVo>> {
    const { spaceId, userId } = this.ctx.access.scope;
    const uploaded = (await multipartFile(request, (file) =>
      this.ctx.services.attachments.upload({ spaceId, userId, name: file.name, data: file.data }),
    )) as AttachmentVo & { id: string };
    const { id: _id, ...vo } = uploaded;
    return success(vo);
  }
}
