/** What the rest of the domain knows of an uploaded file (cells, uploads, downloads). Sizes are plain numbers. */
export interface AttachmentMeta {
  /** atc… id of the attachment row. */
  id: string;
  /** Opaque handle clients put in attachment cells; `<spaceId>/<random>`. */
  token: string;
  name: string;
  size: number;
  mimeType: string;
  width?: number;
  height?: number;
}

/** The item stored in an attachment cell: the metadata with absent dimensions left out (no undefined keys). */
export type AttachmentCellItem = AttachmentMeta;

export function toCellItem(meta: AttachmentMeta): AttachmentCellItem {
  const { id, token, name, size, mimeType, width, height } = meta;
  return {
    id,
    token,
    name,
    size,
    mimeType,
    ...(width != null && { width }),
    ...(height != null && { height }),
  };
}

/** `<publicUrl>/attachments/<token>`, each token segment percent-encoded and the slashes kept. */
export function attachmentUrl(publicUrl: string, token: string): string {
  const path = token.split('/').map(encodeURIComponent).join('/');
  return `${publicUrl.replace(/\/+$/, '')}/attachments/${path}`;
}

/** From an attachments row (size is BIGINT there, dimensions nullable). */
export function metaFromRow(row: {
  id: string;
  token: string;
  name: string;
  size: bigint | number;
  mimeType: string;
  width: number | null;
  height: number | null;
}): AttachmentMeta {
  return toCellItem({ ...row, size: Number(row.size), width: row.width ?? undefined, height: row.height ?? undefined });
}
