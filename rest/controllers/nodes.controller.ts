import type { Request as ExpressRequest } from 'express';
import { Controller, Get, Path, Query, Request, Route, Security, Tags } from '@tsoa/runtime';
import { success, type SuccessEnvelope } from '../envelope.js';
import type { RequestContext } from '../ioc.js';
import type { NodeListVo, NodeVo } from '../models/node.vo.js';
import { listParam, queryEntries } from '../parse/query-arrays.js';

@Route('')
@Tags('Nodes')
export class NodesController extends Controller {
  constructor(private readonly ctx: RequestContext) {
    super();
  }

  /** Nodes at the root of the space. */
  @Get('v1/spaces/{spaceId}/nodes')
  @Security('bearer', ['datasheets:read'])
  public async listNodes(@Path('spaceId') _spaceId: string): Promise<SuccessEnvelope<NodeListVo>> {
    return success({ nodes: await this.ctx.services.nodes.listRoot(this.ctx.access.actor) });
  }

  /** A node, with a folder's children. */
  @Get('v1/nodes/{nodeId}')
  @Security('bearer', ['datasheets:read'])
  public async getNode(@Path() nodeId: string): Promise<SuccessEnvelope<NodeVo>> {
    return success(await this.ctx.services.nodes.detail(this.ctx.access.actor, nodeId));
  }

  /** The deprecated alias the JS SDK still calls. */
  @Get('v1/spaces/{spaceId}/nodes/{nodeId}')
  @Security('bearer', ['datasheets:read'])
  public async getSpaceNode(
    @Path('spaceId') _spaceId: string,
    @Path() nodeId: string,
  ): Promise<SuccessEnvelope<NodeVo>> {
    return success(await this.ctx.services.nodes.detail(this.ctx.access.actor, nodeId));
  }

  /** v2 node search: `type` (Folder, Datasheet, …), `permissions` (0–3, comma list or repeated), `query`. */
  @Get('v2/spaces/{spaceId}/nodes')
  @Security('bearer', ['datasheets:read'])
  public async searchNodes(
    @Path('spaceId') _spaceId: string,
    @Request() request: ExpressRequest,
    @Query() type?: string,
    @Query() query?: string,
  ): Promise<SuccessEnvelope<NodeListVo>> {
    const permissions = listParam(queryEntries(request.originalUrl), 'permissions')?.map(Number);
    return success({
      nodes: await this.ctx.services.nodes.search(this.ctx.access.actor, { type, permissions, query }),
    });
  }
}
