/** POST /fusion/v1/spaces/{spaceId}/datasheets (aitable-fusion-api.md §2.11). */
export interface DatasheetCreateRo {
  name: string;
  description?: string;
  folderId?: string;
  preNodeId?: string;
  fields?: FieldCreateRo[];
}

/** POST /fusion/v1/spaces/{spaceId}/datasheets/{datasheetId}/fields (§2.12). */
export interface FieldCreateRo {
  name: string;
  type: string;
  property?: unknown;
}

/** DELETE …/fields/{fieldId} (§2.13). */
export interface FieldDeleteRo {
  conversion?: 'delete' | 'keepText';
}
