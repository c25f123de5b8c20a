/** POST /fusion/v1/datasheets/{datasheetId}/records (aitable-fusion-api.md §2.3). */
export interface RecordCreateRo {
  records: { fields: { [key: string]: unknown } }[];
  fieldKey?: string;
  /** Extension (Airtable's performUpsert): the fields whose values find the record to update instead of creating one. */
  fieldsToMergeOn?: string[];
}

/** PATCH or PUT …/records (§2.4): partial updates. */
export interface RecordUpdateRo {
  records: { recordId: string; fields: { [key: string]: unknown } }[];
  fieldKey?: string;
}
