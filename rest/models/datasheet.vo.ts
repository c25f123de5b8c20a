export interface DatasheetCreateVo {
  id: string;
  createdAt: number;
  fields: { id: string; name: string }[];
}

export interface FieldCreateVo {
  id: string;
  name: string;
}

// biome-ignore lint/suspicious/noEmptyInterface: the reference's `data: {}`; tsoa documents an interface as a closed object
export interface EmptyVo {}
