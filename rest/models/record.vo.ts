/** A record as the Fusion API returns it (§7.4); empty cells are omitted. */
export interface RecordVo {
  recordId: string;
  createdAt: number;
  updatedAt: number;
  fields: { [key: string]: unknown };
}

export interface RecordListVo {
  records: RecordVo[];
}

export interface RecordPageVo {
  total: number;
  records: RecordVo[];
  pageNum: number;
  /** Records in this page (the reference's meaning). */
  pageSize: number;
}

export interface FieldListVo {
  fields: {
    id: string;
    name: string;
    type: string;
    property?: unknown;
    editable: boolean;
    isPrimary?: boolean;
    desc?: string;
  }[];
}

export interface ViewListVo {
  views: { id: string; name: string; type: string }[];
}
