-- The durable change feed (transactional outbox): every committed change writes its events here in the same
-- transaction. `id` is the global position (commit order: on PostgreSQL rows are inserted under a transaction-level
-- advisory lock held until COMMIT; PGlite runs one transaction at a time), `seq` the datasheet's own gapless position
-- (allocated from feed_sequences in the same statement, rolled back with it). No foreign keys: events outlive what
-- they describe.
-- `changes` holds cell changes by record and field (new values of created records, old ones of deleted records,
-- [old, new] of updated cells): src/db/stores/feed.store.ts reads them back as a list.
CREATE TABLE "change_events" (
    "id" BIGSERIAL NOT NULL,
    "space_id" TEXT NOT NULL,
    "datasheet_id" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "kind" TEXT NOT NULL,
    "revision" INTEGER NOT NULL,
    "record_ids" TEXT[],
    "changes" JSONB NOT NULL DEFAULT '{}',
    "target_id" TEXT,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "actor_id" TEXT,
    "token_id" TEXT,
    "request_id" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "change_events_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "change_events_datasheet_id_seq_key" ON "change_events"("datasheet_id", "seq");
CREATE INDEX "change_events_at_idx" ON "change_events"("at");

-- Each datasheet's latest feed sequence (kept when the datasheet is deleted, so a sequence is never reused).
CREATE TABLE "feed_sequences" (
    "datasheet_id" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,

    CONSTRAINT "feed_sequences_pkey" PRIMARY KEY ("datasheet_id")
);

-- Durable consumers' positions (the last change_events.id acknowledged), and which process holds each one.
CREATE TABLE "feed_cursors" (
    "consumer" TEXT NOT NULL,
    "last_id" BIGINT NOT NULL DEFAULT 0,
    "lease_owner" TEXT,
    "lease_until" TIMESTAMP(3),
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "feed_cursors_pkey" PRIMARY KEY ("consumer")
);

-- Audit rows written from the feed name their event: a redelivered event writes nothing twice.
ALTER TABLE "audit_events" ADD COLUMN "feed_event_id" BIGINT;
CREATE UNIQUE INDEX "audit_events_feed_event_id_key" ON "audit_events"("feed_event_id");
