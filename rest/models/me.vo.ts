/** GET /fusion/v1/me: who the token is (our extension; the reference has no identity route). */
export interface MeVo {
  user: { id: string; name: string; email: string | null };
  space: { id: string; name: string; plan: string; role: string };
  token: { id: string; name: string; prefix: string; expiresAt: number | null; createdAt: number };
  scopes: string[];
  /** Datasheets the token is restricted to; empty means all of its space. */
  datasheetIds: string[];
}
