-- Pre-signed upload slots (GET /fusion/v1/datasheets/{id}/attachments/presignedUrl): each is one upload,
-- single use and expiring. The capability in the upload URL is stored only as its sha256.

-- CreateTable
CREATE TABLE "presigned_uploads" (
    "id" TEXT NOT NULL,
    "space_id" TEXT NOT NULL,
    "datasheet_id" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "created_by" TEXT,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "used_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "presigned_uploads_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "presigned_uploads_token_key" ON "presigned_uploads"("token");

-- CreateIndex
CREATE UNIQUE INDEX "presigned_uploads_secret_hash_key" ON "presigned_uploads"("secret_hash");

-- CreateIndex
CREATE INDEX "presigned_uploads_expires_at_idx" ON "presigned_uploads"("expires_at");

-- CreateIndex
CREATE INDEX "presigned_uploads_datasheet_id_idx" ON "presigned_uploads"("datasheet_id");

-- AddForeignKey
ALTER TABLE "presigned_uploads" ADD CONSTRAINT "presigned_uploads_space_id_fkey" FOREIGN KEY ("space_id") REFERENCES "spaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "presigned_uploads" ADD CONSTRAINT "presigned_uploads_datasheet_id_fkey" FOREIGN KEY ("datasheet_id") REFERENCES "datasheets"("id") ON DELETE CASCADE ON UPDATE CASCADE;
