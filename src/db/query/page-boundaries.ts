import { createHash } from 'node:crypto';

/**
 * Where pages end, by statement and datasheet revision, so that `pageNum` deep in a datasheet seeks (keyset: rows after
 * the last row of an earlier page, list-records.ts) instead of an OFFSET over every earlier row. An entry holds for
 * one revision (`srev`: schema and content revision, read by the same statement as the rows); any write to the
 * datasheet moves it and the entry starts again. Statements that read the clock bind it, so they never match.
 */
export class PageBoundaries {
  private readonly entries = new Map<string, { srev: string; ends: Map<number, unknown[]> }>();
  constructor(
    private readonly maxStatements = 1_000,
    private readonly maxEnds = 1_000,
  ) {}

  /** The statement's identity: its text and bound values (before paging). */
  static key(sql: string, values: readonly unknown[]): string {
    return createHash('sha256').update(sql).update('\u0000').update(JSON.stringify(values)).digest('base64url');
  }

  /** The known page end nearest below `offset` (rows before it, the sort keys of the last of them). */
  nearest(key: string, offset: number): { end: number; keys: unknown[]; srev: string } | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    let best: number | undefined;
    for (const end of entry.ends.keys()) if (end <= offset && (best === undefined || end > best)) best = end;
    return best === undefined ? undefined : { end: best, keys: entry.ends.get(best)!, srev: entry.srev };
  }

  /** The first `end` rows of the statement at revision `srev` end with a row of these sort keys. */
  remember(key: string, srev: string, end: number, keys: unknown[]): void {
    let entry = this.entries.get(key);
    if (!entry || entry.srev !== srev) {
      if (!entry && this.entries.size >= this.maxStatements) this.entries.clear();
      entry = { srev, ends: new Map() };
      this.entries.set(key, entry);
    }
    if (entry.ends.size < this.maxEnds) entry.ends.set(end, keys);
  }
}
