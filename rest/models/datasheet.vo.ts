export interface DatasheetCreateVo {
  id: string;
  createdAt: number;
  fields: { id: string; name: string }[];
}

export interface FieldCreateVo {
  id: string;
  name: string;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface EmptyVo {}
