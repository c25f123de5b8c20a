-- Data in and out: import templates (per space), background import jobs with their per-row error report,
-- and one-time export download links.

-- CreateTable
CREATE TABLE "import_templates" (
    "id" TEXT NOT NULL,
    "space_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "columns" JSONB NOT NULL DEFAULT '[]',
    "created_by" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "import_templates_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "import_jobs" (
    "id" TEXT NOT NULL,
    "space_id" TEXT NOT NULL,
    "datasheet_id" TEXT NOT NULL,
    "template_id" TEXT,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "file_name" TEXT NOT NULL,
    "file_type" TEXT NOT NULL,
    "file_size" BIGINT NOT NULL DEFAULT 0,
    "source" JSONB NOT NULL,
    "mapping" JSONB NOT NULL DEFAULT '{}',
    "rows_read" INTEGER NOT NULL DEFAULT 0,
    "rows_written" INTEGER NOT NULL DEFAULT 0,
    "rows_rejected" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "created_by" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMP(3),
    "heartbeat_at" TIMESTAMP(3),
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "import_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "import_row_errors" (
    "id" BIGSERIAL NOT NULL,
    "import_id" TEXT NOT NULL,
    "row_number" INTEGER NOT NULL,
    "column" TEXT,
    "value" TEXT,
    "reason" TEXT NOT NULL,

    CONSTRAINT "import_row_errors_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "export_downloads" (
    "id" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "space_id" TEXT NOT NULL,
    "datasheet_id" TEXT NOT NULL,
    "view_id" TEXT,
    "format" TEXT NOT NULL,
    "user_id" TEXT,
    "datasheet_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "used_at" TIMESTAMP(3),

    CONSTRAINT "export_downloads_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "import_templates_space_id_created_at_idx" ON "import_templates"("space_id", "created_at");

-- CreateIndex
CREATE INDEX "import_jobs_space_id_created_at_idx" ON "import_jobs"("space_id", "created_at");

-- CreateIndex
CREATE INDEX "import_jobs_status_idx" ON "import_jobs"("status");

-- CreateIndex
CREATE INDEX "import_row_errors_import_id_id_idx" ON "import_row_errors"("import_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "export_downloads_secret_hash_key" ON "export_downloads"("secret_hash");

-- CreateIndex
CREATE INDEX "export_downloads_expires_at_idx" ON "export_downloads"("expires_at");

-- AddForeignKey
ALTER TABLE "import_templates" ADD CONSTRAINT "import_templates_space_id_fkey" FOREIGN KEY ("space_id") REFERENCES "spaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "import_jobs" ADD CONSTRAINT "import_jobs_space_id_fkey" FOREIGN KEY ("space_id") REFERENCES "spaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "import_row_errors" ADD CONSTRAINT "import_row_errors_import_id_fkey" FOREIGN KEY ("import_id") REFERENCES "import_jobs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "export_downloads" ADD CONSTRAINT "export_downloads_space_id_fkey" FOREIGN KEY ("space_id") REFERENCES "spaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;
