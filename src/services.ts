import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import { isReady } from './db/migrate.js';
import { createAttachmentService } from './domain/attachments/attachment.service.js';
import { createLocalDiskStorage } from './storage/local-disk.storage.js';
import { createAttachmentSweeper } from './domain/attachments/sweeper.js';
import { createPresignedUploadService } from './domain/attachments/presigned-uploads.js';
import { createDatasheetService } from './domain/datasheets/datasheet.service.js';
import { createChangeBus } from './domain/events/change-bus.js';
import { createLiveSubscriptions } from './domain/events/live.js';
import { createViewFilter } from './domain/events/view-filter.js';
import { createFieldService } from './domain/schema/field.service.js';
import { createRecordService } from './domain/records/record.service.js';
import { formulaFilter } from './domain/records/formula-filter.js';
import { createSpaceService } from './domain/spaces/space.service.js';
import { createTokenService } from './domain/tokens/token.service.js';
import { createTokenCache } from './domain/tokens/token-cache.js';
import { createViewService } from './domain/views/view.service.js';
import { createNodeService } from './domain/nodes/node.service.js';
import { createEmbedLinkService } from './domain/embeds/embed-link.service.js';
import { createAccessService, type Limiter } from './domain/access/access.service.js';
import { createAuditService } from './domain/audit/audit.service.js';
import { createIdempotencyService } from './domain/idempotency/idempotency.service.js';
import { loadSchema } from './domain/datasheets/schema.js';
import { startViewIndexing } from './db/query/index-manager.js';
import { createExportService } from './domain/exports/export.service.js';
import { createImportService } from './domain/imports/import.service.js';
import { createImportTemplateService } from './domain/imports/template.service.js';

/** How long an unreferenced attachment is kept when the configuration does not say (ATTACHMENT_GRACE_SECONDS). */
const DEFAULT_ATTACHMENT_GRACE_MS = 86_400_000;
import { DEFAULT_QUERY_INDEX_OPTIONS, startQueryIndexing, type QueryIndexOptions } from './db/query/query-indexes.js';
import { createChangeFeed } from './db/feed/change-feed.js';
import { feedWriter } from './domain/events/outbox.js';
import { RECORD_EVENT_KINDS } from './domain/events/feed.js';

import { createWebhookService } from './domain/webhooks/webhook.service.js';
import { createWebhookDelivery } from './domain/webhooks/delivery.js';
import { DEFAULT_WEBHOOK_SETTINGS } from './domain/webhooks/settings.js';
import { createTargetGuard, systemResolver } from './domain/webhooks/target-url.js';

/** Where pre-signed uploads are sent (the Fusion router serves it; see rest/controllers/uploads.controller.ts). */
export const PRESIGNED_UPLOAD_PATH = '/fusion/v1/uploads';

/** Where an embed link's public, read-only view is served (rest/controllers/embed.controller.ts). */
export const EMBED_PATH = '/fusion/v1/embed';

/** Where one-time export downloads are served (rest/controllers/export-downloads.controller.ts). */
export const EXPORT_DOWNLOAD_PATH = '/fusion/v1/exports';

export interface ServiceOptions {
  config: Pick<Config, 'dataDir' | 'publicUrl' | 'timeZone' | 'rateLimit'> &
    Partial<
      Pick<
        Config,
        | 'maxTextCellLength'
        | 'attachmentSweep'
        | 'importMaxFileBytes'
        | 'importMaxUncompressedBytes'
        | 'feed'
        | 'databaseUrl'
        | 'redisUrl'
        | 'live'
        | 'webhooks'
      >
    >;
  expectedMigrations: number;
  limiter: Limiter;
  onListenerError?: (error: unknown) => void;
  /** Indexes built for the queries made (query-indexes.ts); `false` builds none. */
  queryIndexes?: Partial<QueryIndexOptions> | false;
  /** Told when the server disables a webhook after repeated failures (a log line). */
  onWebhookDisabled?: (webhookId: string, reason: string) => void;
}

/** Explicit wiring of the domain services over one database; both transports read from this object. */
export function createServices(db: Database, options: ServiceOptions) {
  const { prisma } = db;
  const feedConfig = options.config.feed ?? { retentionDays: 7, leaseSeconds: 30, pollSeconds: 1, enabled: true };
  const origin = randomUUID().slice(0, 8);
  const bus = createChangeBus({
    onListenerError: options.onListenerError,
    feed: feedConfig.enabled ? feedWriter(db.kind === 'postgres', origin) : undefined,
  });
  // The durable change feed's dispatcher; it hears this process's commits from the bus, others' once started.
  const feed = createChangeFeed(db, {
    databaseUrl: db.kind === 'postgres' ? options.config.databaseUrl : undefined,
    redisUrl: db.kind === 'postgres' ? options.config.redisUrl : undefined,
    retentionDays: feedConfig.retentionDays,
    origin,
    // One process holds an embedded database: nobody else could take a consumer over.
    leaseMs: db.kind === 'postgres' ? feedConfig.leaseSeconds * 1000 : 0,
    pollMs: feedConfig.pollSeconds * 1000,
    onError: options.onListenerError ?? (() => {}),
  });
  bus.subscribe((event) => feed.wake(event.type === 'schema.changed' ? [event.change] : RECORD_EVENT_KINDS));
  const audit = createAuditService(db, feed);
  // Fields used by views' sorts and filters get matching expression indexes (created after commit).
  const indexing = startViewIndexing(
    db,
    (listener) => bus.subscribe((event) => listener(event)),
    async (spaceId, datasheetId) => {
      const schema = await loadSchema(db, spaceId, datasheetId);
      return { datasheetId, fields: schema.fields, views: schema.views };
    },
    options.onListenerError ?? (() => {}),
  );
  // Filters and sorts that queries use get matching expression indexes too (built in the background, bounded).
  const queryIndexes =
    options.queryIndexes === false
      ? undefined
      : startQueryIndexing(
          db,
          { ...DEFAULT_QUERY_INDEX_OPTIONS, ...options.queryIndexes },
          options.onListenerError ?? (() => {}),
        );
  const sweep = queryIndexes && setInterval(() => void queryIndexes.sweep().catch(() => {}), 3600_000);
  sweep?.unref();
  const storage = createLocalDiskStorage(path.join(options.config.dataDir, 'attachments'));
  const attachments = createAttachmentService({ prisma, storage, publicUrl: options.config.publicUrl });
  const records = createRecordService({
    db,
    prisma,
    bus,
    attachmentUrl: attachments.url,
    timeZone: options.config.timeZone,
    maxTextLength: options.config.maxTextCellLength,
    formulaFilter,
    now: () => new Date(),
    queryIndexes,
  });
  const datasheets = createDatasheetService(prisma, bus);
  const importTemplates = createImportTemplateService(prisma);
  const access = createAccessService(db, options.limiter, { rateLimits: options.config.rateLimit.enabled });
  // Verified tokens, kept only while the server hears the database's change notifications (src/server.ts).
  const tokenCache = createTokenCache();
  const tokens = createTokenService(prisma, db, audit, undefined, tokenCache);
  const live = createLiveSubscriptions(
    {
      feed,
      authenticate: (secret) => tokens.authenticate(secret),
      check: (actor, scope, target) => access.check(actor, scope, target),
    },
    {
      subscriptionsPerToken: options.config.live?.subscriptionsPerToken ?? 100,
      recheckMs: options.config.live?.recheckMs ?? 10_000,
      heartbeatMs: options.config.live?.heartbeatMs ?? 15_000,
    },
  );
  const webhookSettings = options.config.webhooks ?? DEFAULT_WEBHOOK_SETTINGS;
  const guard = createTargetGuard(webhookSettings, systemResolver);
  return {
    events: bus,
    feed,
    live,
    viewFilter: createViewFilter(db, { timeZone: options.config.timeZone }),
    webhooks: createWebhookService({ prisma, audit, guard }),
    /** Started by the server (not by the CLI): turns feed events into deliveries and sends them. */
    webhookDelivery: createWebhookDelivery({
      db,
      feed,
      settings: webhookSettings,
      guard,
      onError: options.onListenerError,
      onDisabled: options.onWebhookDisabled,
    }),
    spaces: createSpaceService(prisma),
    tokens,
    tokenCache,
    access,
    audit,
    idempotency: createIdempotencyService(db),
    datasheets,
    fields: createFieldService(prisma, bus, { db, timeZone: options.config.timeZone }),
    views: createViewService(prisma, bus),
    nodes: createNodeService(prisma),
    attachments,
    /** Deletes attachments no cell refers to after the grace period (the server runs it every interval). */
    attachmentSweeper: createAttachmentSweeper(
      { prisma, storage },
      { graceMs: options.config.attachmentSweep?.graceMs ?? DEFAULT_ATTACHMENT_GRACE_MS },
    ),
    uploads: createPresignedUploadService({
      prisma,
      attachments,
      uploadUrl: (secret) => `${options.config.publicUrl}${PRESIGNED_UPLOAD_PATH}/${secret}`,
    }),
    records,
    embeds: createEmbedLinkService({
      db,
      prisma,
      records,
      audit,
      embedUrl: (linkId) => `${options.config.publicUrl}${EMBED_PATH}/${linkId}`,
      limiter: options.config.rateLimit.enabled ? options.limiter : undefined,
    }),
    exports: createExportService({
      db,
      prisma,
      records,
      downloadUrl: (secret) => `${options.config.publicUrl}${EXPORT_DOWNLOAD_PATH}/${secret}`,
    }),
    importTemplates,
    imports: createImportService({
      db,
      prisma,
      records,
      datasheets,
      templates: importTemplates,
      attachments,
      files: createLocalDiskStorage(path.join(options.config.dataDir, 'imports')),
      timeZone: options.config.timeZone,
      maxTextLength: options.config.maxTextCellLength,
      limits: {
        ...(options.config.importMaxFileBytes ? { maxFileBytes: options.config.importMaxFileBytes } : {}),
        ...(options.config.importMaxUncompressedBytes
          ? { maxUncompressedBytes: options.config.importMaxUncompressedBytes }
          : {}),
      },
      onError: options.onListenerError,
    }),
    indexing: {
      /** Resolves when no view or query index is being built or dropped. */
      idle: async () => {
        await indexing.idle();
        await queryIndexes?.idle();
      },
      stop: () => {
        indexing.stop();
        queryIndexes?.stop();
        clearInterval(sweep);
      },
    },
    queryIndexes,
    health: {
      /** Database answers and every migration is applied. */
      ready: () => isReady(db, options.expectedMigrations).catch(() => false),
    },
  };
}

export type Services = ReturnType<typeof createServices>;
