-- An embed link keeps the datasheet restriction of the token that made it: its public reads honour it through
-- links and lookups (src/domain/access/reach.ts), as that token's own reads do. Empty: every datasheet.

-- AlterTable
ALTER TABLE "embed_links" ADD COLUMN "datasheet_ids" TEXT[] DEFAULT ARRAY[]::TEXT[];
