-- Attachments no longer referenced by any cell are deleted after a grace period (src/domain/attachments/sweeper.ts):
-- the sweeper marks when it first found an attachment unreferenced, and clears the mark when a cell refers to it again.
ALTER TABLE "attachments" ADD COLUMN "unreferenced_since" TIMESTAMP(3);

CREATE INDEX "attachments_unreferenced_since_idx" ON "attachments"("unreferenced_since");
