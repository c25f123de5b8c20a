import type { Request as ExpressRequest } from 'express';
import { Controller, Get, Path, Post, Request, Route, Security, Tags } from '@tsoa/runtime';
import { PRESIGNED_MAX_COUNT, PRESIGNED_MIN_COUNT } from '../../src/domain/attachments/presigned-uploads.js';
import { success, type SuccessEnvelope } from '../envelope.js';
import type { RequestContext } from '../ioc.js';
import { multipartFile } from '../parse/multipart-file.js';
import { queryEntries } from '../parse/query-arrays.js';
import { declaredLength } from '../parse/content-length.js';
import { intParam } from '../parse/record-query.js';

export interface AttachmentVo {
  token: string;
  name: string;
  size: number;
  mimeType: string;
  url: string;
  width?: number;
  height?: number;
}

export interface PresignedUrlVo {
  results: { token: string; uploadUrl: string; uploadRequestMethod: 'PUT' }[];
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
  public async uploadAttachment(
    @Path('datasheetId') _datasheetId: string,
    @Request() request: ExpressRequest,
  ): Promise<SuccessEnvelope<AttachmentVo>> {
    const { spaceId, userId } = this.ctx.access.scope;
    const uploaded = (await multipartFile(request, (file) =>
      this.ctx.services.attachments.upload({
        spaceId,
        userId,
        name: file.name,
        data: file.data,
        declaredBytes: declaredLength(request),
      }),
    )) as AttachmentVo & { id: string };
    const { id: _id, ...vo } = uploaded;
    return success(vo);
  }

  /**
   * Pre-signed upload slots: `count` (1–20, default 1) single-use upload URLs, each valid for an hour.
   * `PUT` a file's raw bytes to a result's `uploadUrl` (no Authorization needed: the URL is the credential;
   * an optional `Content-Disposition: attachment; filename="…"` names the file), then write `{token, name}`
   * into an Attachment cell. Refused with 426 when the space's attachment capacity is used up.
   */
  @Get('presignedUrl')
  @Security('bearer', ['attachments:write'])
  public async getPresignedUrl(
    @Path() datasheetId: string,
    @Request() request: ExpressRequest,
  ): Promise<SuccessEnvelope<PresignedUrlVo>> {
    const raw = queryEntries(request.originalUrl).find(([key]) => key === 'count')?.[1];
    const count =
      intParam(raw, 'count', `count must be an integer from ${PRESIGNED_MIN_COUNT} to ${PRESIGNED_MAX_COUNT}`) ??
      PRESIGNED_MIN_COUNT;
    return success({ results: await this.ctx.services.uploads.issue(this.ctx.access.scope, datasheetId, count) });
  }
}
