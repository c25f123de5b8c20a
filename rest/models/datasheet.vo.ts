export interface DatasheetCreateVo {
  id: string;
  createdAt: number;
  fields: { id: string; name: string }[];
}

export interface FieldCreateVo {
  id: string;
  name: string;
}

// biome-ignore lint/complexity/noBannedTypes: tsoa documents `{}` as an empty object, the reference's `data: {}`
export type EmptyVo = {};
