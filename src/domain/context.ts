import type { Scope as TokenScope } from './tokens/scopes.js';

/** Who is acting: resolved from an API token by the tokens service, passed to every domain call. */
export interface Actor {
  userId: string;
  tokenId: string;
  /** The space the token was issued for. */
  spaceId: string;
  /** That space's name, read with the token (GET /spaces answers from it without another query). */
  spaceName: string;
  scopes: readonly TokenScope[];
  /** Datasheets the token is restricted to; empty means all datasheets of its space. */
  datasheetIds: readonly string[];
  /** The user's role in the token's space: it bounds what the token may do, whatever its scopes. */
  role: 'owner' | 'admin' | 'editor' | 'reader';
  /** The space's plan (rate-limit tier and quota). */
  plan: 'FREE' | 'PLUS' | 'PRO' | 'ENTERPRISE';
}

/** The minimum a domain write needs to know about its caller: which space it acts in, and who it is. */
export interface Scope {
  spaceId: string;
  /** Recorded as author in history and CreatedBy/LastModifiedBy; null for system writes. */
  userId: string | null;
  /**
   * The datasheets the caller is restricted to (its token's restriction; absent or empty: all of the space). Reads
   * and writes through links, lookups and two-way siblings honour it (access/reach.ts canReach).
   */
  datasheetIds?: readonly string[] | undefined;
}
