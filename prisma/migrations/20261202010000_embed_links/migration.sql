-- Embed links (POST/GET/DELETE /fusion/v1/spaces/{spaceId}/nodes/{nodeId}/embedlinks): a public, read-only
-- window on one datasheet, addressed by its unguessable link id. Deleting the row ends it at once; deleting
-- the node deletes its links.

-- CreateTable
CREATE TABLE "embed_links" (
    "id" TEXT NOT NULL,
    "space_id" TEXT NOT NULL,
    "node_id" TEXT NOT NULL,
    "payload" JSONB,
    "theme" TEXT,
    "created_by" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "embed_links_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "embed_links_node_id_created_at_idx" ON "embed_links"("node_id", "created_at");

-- AddForeignKey
ALTER TABLE "embed_links" ADD CONSTRAINT "embed_links_space_id_fkey" FOREIGN KEY ("space_id") REFERENCES "spaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "embed_links" ADD CONSTRAINT "embed_links_node_id_fkey" FOREIGN KEY ("node_id") REFERENCES "nodes"("id") ON DELETE CASCADE ON UPDATE CASCADE;
