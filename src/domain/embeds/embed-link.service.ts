import { asQueryable, type Database, type PrismaClient, type Queryable } from '../../db/client.js';
import { lockNodeForEmbedLinks } from '../../db/stores/embed-link.store.js';
import type { Limiter } from '../access/access.service.js';
import type { Scope } from '../context.js';
import { loadSchema, type DatasheetSchema } from '../datasheets/schema.js';
import { DomainError, invalidArgument } from '../errors.js';
import { listFieldsForApi, type FieldApi } from '../schema/field-api.js';
import { newId } from '../ids.js';
import { MAX_EMBED_LINKS_PER_NODE } from '../limits.js';
import type { RecordPage } from '../records/query-records.js';
import type { RecordService } from '../records/record.service.js';
import type { ActingAs } from '../tokens/token.service.js';
import type { AuditService } from '../audit/audit.service.js';

/** The JS SDK's IEmbedInfo (apitable 1.3.0 `interface/embed.link.d.ts`), as validated and stored. */
export interface EmbedPayload {
  primarySideBar?: { collapsed?: boolean };
  viewControl?: { viewId?: string; tabBar?: boolean; toolBar?: Partial<Record<ToolBarKey, boolean>> };
  bannerLogo?: boolean;
  permissionType?: EmbedPermissionType;
}

export const EMBED_PERMISSION_TYPES = ['readOnly', 'publicEdit', 'privateEdit'] as const;
export type EmbedPermissionType = (typeof EMBED_PERMISSION_TYPES)[number];
export const EMBED_THEMES = ['light', 'dark'] as const;
export type EmbedTheme = (typeof EMBED_THEMES)[number];
/** Toolbar switches: the SDK's, plus those the reference's error catalogue names (api_param_*_btn_type_error). */
const TOOLBAR_KEYS = [
  'basicTools',
  'shareBtn',
  'widgetBtn',
  'apiBtn',
  'formBtn',
  'historyBtn',
  'robotBtn',
  'addWidgetBtn',
  'formSettingBtn',
  'fullScreenBtn',
] as const;
type ToolBarKey = (typeof TOOLBAR_KEYS)[number];

/** The reference's messages (aitable-fusion-api.md §5.4). */
export const EMBED_LINK_NOT_FOUND = 'the specified embed link does not exist, please adjust the linkId and try again';
const PERMISSION_TYPE_ERROR =
  'the parameter permissionType must be one of the following values: readOnly, publicEdit, privateEdit';
const THEME_ERROR = 'the parameter theme must be one of the following values: dark, light';
const NOT_A_DATASHEET = 'embedded links are not supported for nodes other than datasheet type';
const booleanError = (name: string) => `the parameter ${name} must be a boolean type`;
const objectError = (name: string) => `the parameter ${name} must be an object`;

export interface EmbedLinkVo {
  linkId: string;
  url: string;
  payload?: EmbedPayload;
  theme?: EmbedTheme;
}

/** What the public embed route shows of a link: the datasheet, the view it opens on and that view's fields. */
export interface EmbedDescription {
  linkId: string;
  theme?: EmbedTheme;
  payload?: EmbedPayload;
  /** Always true: the public embed routes only read, whatever permissionType says. */
  readOnly: true;
  datasheet: { id: string; name: string };
  view: { id: string; name: string; type: string };
  fields: FieldApi[];
}

export interface EmbedLinkDeps {
  db: Database;
  prisma: PrismaClient;
  records: RecordService;
  audit: AuditService;
  /** The absolute public URL of a link. */
  embedUrl: (linkId: string) => string;
  /** Public reads are metered per link at the space plan's rate (absent: not metered). */
  limiter?: Limiter | undefined;
}

const linkNotFound = () => new DomainError('EMBED_LINK_NOT_FOUND', EMBED_LINK_NOT_FOUND, { parameter: 'linkId' });

/**
 * Embed links: an admin of a datasheet publishes it, read-only, to whoever holds the link's URL (an
 * unguessable link id). The public side describes the datasheet and serves its records through the
 * ordinary record query, in the link's view; a deleted link (or datasheet) stops answering at once.
 */
export function createEmbedLinkService(deps: EmbedLinkDeps) {
  const { prisma } = deps;
  type Row = { id: string; payload: unknown; theme: string | null };
  const toVo = (row: Row): EmbedLinkVo => ({
    linkId: row.id,
    url: deps.embedUrl(row.id),
    ...(row.payload != null ? { payload: row.payload as EmbedPayload } : {}),
    ...(row.theme != null ? { theme: row.theme as EmbedTheme } : {}),
  });

  async function create(
    scope: Scope,
    nodeId: string,
    input: { payload?: unknown; theme?: unknown },
    by: ActingAs,
  ): Promise<EmbedLinkVo> {
    const theme = themeOf(input.theme);
    const row = await prisma.$transaction(async (tx) => {
      const node = await lockNodeForEmbedLinks(tx, scope.spaceId, nodeId);
      if (!node) throw nodeNotFound();
      if (node.type !== 'DATASHEET') throw invalidArgument(NOT_A_DATASHEET, { parameter: 'nodeId' });
      const payload = payloadOf(input.payload, await loadSchema(asQueryable(tx), scope.spaceId, nodeId));
      if ((await tx.embedLink.count({ where: { nodeId } })) >= MAX_EMBED_LINKS_PER_NODE) {
        throw new DomainError(
          'LINK_LIMIT',
          `the maximum number of embedded links has been reached, only ${MAX_EMBED_LINKS_PER_NODE} links can be created`,
          {
            parameter: 'nodeId',
            limit: MAX_EMBED_LINKS_PER_NODE,
          },
        );
      }
      const row = await tx.embedLink.create({
        data: {
          id: newId('embedLink'),
          spaceId: scope.spaceId,
          nodeId,
          payload: payload as object | undefined,
          theme: theme ?? null,
          createdBy: scope.userId,
          // What the link publishes is bounded as its maker's own reads are (lookups into other datasheets).
          datasheetIds: [...(scope.datasheetIds ?? [])],
        },
      });
      await audited(asQueryable(tx), scope, by, 'embedLink.created', row.id, nodeId);
      return row;
    });
    return toVo(row);
  }

  /** The node's links, oldest first. */
  async function list(scope: Scope, nodeId: string): Promise<EmbedLinkVo[]> {
    const rows = await prisma.embedLink.findMany({
      where: { spaceId: scope.spaceId, nodeId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return rows.map(toVo);
  }

  /** Deletes a link of the node; unknown (or already deleted) links answer 1501. */
  async function remove(scope: Scope, nodeId: string, linkId: string, by: ActingAs): Promise<void> {
    await prisma.$transaction(async (tx) => {
      const { count } = await tx.embedLink.deleteMany({ where: { id: linkId, spaceId: scope.spaceId, nodeId } });
      if (count === 0) throw linkNotFound();
      await audited(asQueryable(tx), scope, by, 'embedLink.deleted', linkId, nodeId);
    });
  }

  /** The audit row of a link change, written in the change's own transaction (both commit, or neither). */
  const audited = (
    tx: Queryable,
    scope: Scope,
    by: ActingAs,
    action: 'embedLink.created' | 'embedLink.deleted',
    linkId: string,
    nodeId: string,
  ) =>
    deps.audit.recordIn(tx, {
      spaceId: scope.spaceId,
      actorId: by.userId,
      tokenId: by.tokenId,
      requestId: by.requestId ?? null,
      action,
      targetType: 'embedLink',
      targetId: linkId,
      detail: { nodeId },
    });

  /**
   * The link, the scope its reads run in (its space, bounded by the restriction of the token that made it) and its
   * datasheet's schema; 1501 when there is none.
   */
  async function open(linkId: string) {
    const row =
      typeof linkId === 'string' && linkId.startsWith('emb')
        ? await prisma.embedLink.findUnique({ where: { id: linkId }, include: { space: { select: { plan: true } } } })
        : null;
    if (!row) throw linkNotFound();
    if (deps.limiter) {
      const rate = await deps.limiter.consume(`embed:${row.id}`, row.space.plan);
      if (!rate.allowed) {
        throw new DomainError(
          'RATE_LIMITED',
          `The request rate of this embed link is ${rate.limit} queries per second (QPS).`,
          { rate },
        );
      }
    }
    const scope: Scope = { spaceId: row.spaceId, userId: null, datasheetIds: row.datasheetIds };
    const schema = await loadSchema(deps.db, row.spaceId, row.nodeId);
    const payload = (row.payload ?? undefined) as EmbedPayload | undefined;
    const view = viewOf(schema, payload);
    return { row, scope, schema, view, payload };
  }

  /** Public: what the link shows. */
  async function describe(linkId: string): Promise<EmbedDescription> {
    const { row, schema, view, payload } = await open(linkId);
    return {
      linkId: row.id,
      ...(row.theme != null ? { theme: row.theme as EmbedTheme } : {}),
      ...(payload ? { payload } : {}),
      readOnly: true,
      datasheet: { id: schema.id, name: schema.name },
      view: { id: view.id, name: view.name, type: view.type },
      fields: listFieldsForApi(schema, { viewId: view.id, canWrite: false }),
    };
  }

  /** Public: a page of the link's view (its filter, sorts, hidden fields), json cells keyed by name. */
  async function records(
    linkId: string,
    page: { pageNum?: number | undefined; pageSize?: number | undefined },
  ): Promise<RecordPage> {
    const { scope, schema, view } = await open(linkId);
    return deps.records.query(scope, schema.id, {
      viewId: view.id,
      pageNum: page.pageNum ?? 1,
      pageSize: page.pageSize,
      withTotal: true,
    });
  }

  return { create, list, remove, describe, records };
}

export type EmbedLinkService = ReturnType<typeof createEmbedLinkService>;

const nodeNotFound = () =>
  new DomainError('DATASHEET_NOT_FOUND', "Can't find the specified datasheet", { parameter: 'nodeId' });

/** The view a link opens on: the one its payload names, else the datasheet's first. */
function viewOf(schema: DatasheetSchema, payload: EmbedPayload | undefined) {
  const wanted = payload?.viewControl?.viewId;
  const view = wanted ? schema.views.find((v) => v.id === wanted) : schema.views[0];
  if (!view)
    throw invalidArgument(wanted ? `View (${wanted}) does not exist` : 'The datasheet has no view', {
      parameter: 'viewId',
    });
  return view;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function themeOf(value: unknown): EmbedTheme | undefined {
  if (value === undefined || value === null) return undefined;
  if (!(EMBED_THEMES as readonly unknown[]).includes(value)) throw invalidArgument(THEME_ERROR, { parameter: 'theme' });
  return value as EmbedTheme;
}

function optionalBoolean(source: Record<string, unknown>, key: string): { [k: string]: boolean } {
  const value = source[key];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'boolean') throw invalidArgument(booleanError(key), { parameter: key });
  return { [key]: value };
}

function optionalObject(source: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const value = source[key];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw invalidArgument(objectError(key), { parameter: key });
  return value;
}

/** The payload as stored: known keys only, each checked (the view must be one of the datasheet's). */
function payloadOf(raw: unknown, schema: DatasheetSchema): EmbedPayload | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) throw invalidArgument(objectError('payload'), { parameter: 'payload' });
  const payload: EmbedPayload = {};
  const sideBar = optionalObject(raw, 'primarySideBar');
  if (sideBar) payload.primarySideBar = optionalBoolean(sideBar, 'collapsed');
  const viewControl = optionalObject(raw, 'viewControl');
  if (viewControl) {
    const control: NonNullable<EmbedPayload['viewControl']> = {};
    const viewId = viewControl.viewId;
    if (viewId !== undefined && viewId !== null) {
      if (typeof viewId !== 'string')
        throw invalidArgument('the parameter viewId must be a string', { parameter: 'viewId' });
      if (!schema.views.some((v) => v.id === viewId))
        throw invalidArgument(`View (${viewId}) does not exist`, { parameter: 'viewId' });
      control.viewId = viewId;
    }
    Object.assign(control, optionalBoolean(viewControl, 'tabBar'));
    const toolBar = optionalObject(viewControl, 'toolBar');
    if (toolBar)
      control.toolBar = Object.assign({}, ...TOOLBAR_KEYS.map((key) => optionalBoolean(toolBar, key))) as Partial<
        Record<ToolBarKey, boolean>
      >;
    payload.viewControl = control;
  }
  Object.assign(payload, optionalBoolean(raw, 'bannerLogo'));
  const permissionType = raw.permissionType;
  if (permissionType !== undefined && permissionType !== null) {
    if (!(EMBED_PERMISSION_TYPES as readonly unknown[]).includes(permissionType))
      throw invalidArgument(PERMISSION_TYPE_ERROR, { parameter: 'permissionType' });
    payload.permissionType = permissionType as EmbedPermissionType;
  }
  return payload;
}
