-- History outlives its record (deleted records keep their history) and is removed with its datasheet.

-- DropForeignKey
ALTER TABLE "record_changes" DROP CONSTRAINT "record_changes_record_id_fkey";

-- AddForeignKey
ALTER TABLE "record_changes" ADD CONSTRAINT "record_changes_datasheet_id_fkey" FOREIGN KEY ("datasheet_id") REFERENCES "datasheets"("id") ON DELETE CASCADE ON UPDATE CASCADE;
