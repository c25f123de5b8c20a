export interface AuditEventVo {
  id: string;
  action: string;
  targetType: string;
  targetId: string | null;
  actorId: string | null;
  tokenId: string | null;
  requestId: string | null;
  detail: unknown;
  /** Epoch milliseconds. */
  at: number;
}

export interface AuditEventListVo {
  events: AuditEventVo[];
  /** Pass as `before` for the next (older) page; null at the end. */
  nextCursor: string | null;
}
