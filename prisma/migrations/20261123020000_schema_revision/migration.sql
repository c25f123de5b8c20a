-- A revision that moves only with the datasheet's schema (fields, options, views, name), so readers can
-- cache a schema and check it is current in the same query that reads the rows.

-- AlterTable
ALTER TABLE "datasheets" ADD COLUMN "schema_revision" BIGINT NOT NULL DEFAULT 0;
