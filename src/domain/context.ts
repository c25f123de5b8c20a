import type { Scope } from './tokens/scopes.js';

/** Who is acting: resolved from an API token by the tokens service, passed to every domain call. */
export interface Actor {
  userId: string;
  tokenId: string;
  /** The space the token was issued for. */
  spaceId: string;
  scopes: readonly Scope[];
  /** Datasheets the token is restricted to; empty means all datasheets of its space. */
  datasheetIds: readonly string[];
}
