import type { DatasheetSchema } from './schema.js';

/**
 * Schemas by space and datasheet, shared by reads and writes of one record service; each use is checked against
 * the schema revision of the rows a read returns, or of the datasheet row a write locks.
 */
export type SchemaCache = Map<string, DatasheetSchema>;

export const schemaKey = (spaceId: string, datasheetId: string) => `${spaceId}/${datasheetId}`;

/** Keeps a freshly loaded schema (the cache is dropped whole past 10,000 entries); returns it. */
export function rememberSchema(cache: SchemaCache | undefined, key: string, schema: DatasheetSchema): DatasheetSchema {
  if (cache) {
    if (cache.size > 10_000) cache.clear();
    cache.set(key, schema);
  }
  return schema;
}
