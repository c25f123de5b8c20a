import path from 'node:path';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import { isReady } from './db/migrate.js';
import { createAttachmentService } from './domain/attachments/attachment.service.js';
import { createLocalDiskStorage } from './storage/local-disk.storage.js';
import { createPresignedUploadService } from './domain/attachments/presigned-uploads.js';
import { createDatasheetService } from './domain/datasheets/datasheet.service.js';
import { createChangeBus } from './domain/events/change-bus.js';
import { createFieldService } from './domain/schema/field.service.js';
import { createRecordService } from './domain/records/record.service.js';
import { formulaFilter } from './domain/records/formula-filter.js';
import { createSpaceService } from './domain/spaces/space.service.js';
import { createTokenService } from './domain/tokens/token.service.js';
import { createViewService } from './domain/views/view.service.js';
import { createNodeService } from './domain/nodes/node.service.js';
import { createEmbedLinkService } from './domain/embeds/embed-link.service.js';
import { createAccessService, type Limiter } from './domain/access/access.service.js';
import { createAuditService } from './domain/audit/audit.service.js';
import { createIdempotencyService } from './domain/idempotency/idempotency.service.js';
import { loadSchema } from './domain/datasheets/schema.js';
import { startViewIndexing } from './db/query/index-manager.js';
import type { ChangeFeed } from './domain/events/feed.js';
import { createBusFeed } from './domain/events/bus-feed.js';
import { createWebhookService } from './domain/webhooks/webhook.service.js';
import { createWebhookDelivery } from './domain/webhooks/delivery.js';
import { DEFAULT_WEBHOOK_SETTINGS } from './domain/webhooks/settings.js';
import { createTargetGuard, systemResolver } from './domain/webhooks/target-url.js';

/** Where pre-signed uploads are sent (the Fusion router serves it; see rest/controllers/uploads.controller.ts). */
export const PRESIGNED_UPLOAD_PATH = '/fusion/v1/uploads';

/** Where an embed link's public, read-only view is served (rest/controllers/embed.controller.ts). */
export const EMBED_PATH = '/fusion/v1/embed';

export interface ServiceOptions {
  config: Pick<Config, 'dataDir' | 'publicUrl' | 'timeZone' | 'rateLimit'> &
    Partial<Pick<Config, 'maxTextCellLength' | 'webhooks'>>;
  expectedMigrations: number;
  limiter: Limiter;
  onListenerError?: (error: unknown) => void;
  /** Told when the server disables a webhook after repeated failures (a log line). */
  onWebhookDisabled?: (webhookId: string, reason: string) => void;
}

/** Explicit wiring of the domain services over one database; both transports read from this object. */
export function createServices(db: Database, options: ServiceOptions) {
  const { prisma } = db;
  const bus = createChangeBus(options.onListenerError);
  const audit = createAuditService(db, bus, options.onListenerError);
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
  const attachments = createAttachmentService({
    prisma,
    storage: createLocalDiskStorage(path.join(options.config.dataDir, 'attachments')),
    publicUrl: options.config.publicUrl,
  });
  const records = createRecordService({
    db,
    prisma,
    bus,
    attachmentUrl: attachments.url,
    timeZone: options.config.timeZone,
    maxTextLength: options.config.maxTextCellLength,
    formulaFilter,
    now: () => new Date(),
  });
  // STAND-IN until the durable change feed lands (the lead wires the real one here at merge).
  const feed: ChangeFeed = createBusFeed(bus, options.onListenerError);
  const webhookSettings = options.config.webhooks ?? DEFAULT_WEBHOOK_SETTINGS;
  const guard = createTargetGuard(webhookSettings, systemResolver);
  return {
    events: bus,
    feed,
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
    tokens: createTokenService(prisma, db, audit),
    access: createAccessService(db, options.limiter, { rateLimits: options.config.rateLimit.enabled }),
    audit,
    idempotency: createIdempotencyService(db),
    datasheets: createDatasheetService(prisma, bus),
    fields: createFieldService(prisma, bus),
    views: createViewService(prisma, bus),
    nodes: createNodeService(prisma),
    attachments,
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
    indexing,
    health: {
      /** Database answers and every migration is applied. */
      ready: () => isReady(db, options.expectedMigrations).catch(() => false),
    },
  };
}

export type Services = ReturnType<typeof createServices>;
