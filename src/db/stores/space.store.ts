import type { Queryable } from '../client.js';

export interface MembershipRow {
  id: string;
  name: string;
  plan: 'FREE' | 'PLUS' | 'PRO' | 'ENTERPRISE';
  createdAt: Date;
  role: 'owner' | 'admin' | 'editor' | 'reader';
}

/** The spaces a user is a member of among `spaceIds`, with the user's role, oldest first: one round trip. */
export async function membershipsOf(q: Queryable, userId: string, spaceIds: readonly string[]): Promise<MembershipRow[]> {
  const rows = await q.query<{ id: string; name: string; plan: MembershipRow['plan']; created_ms: number | string; role: MembershipRow['role'] }>(
    `SELECT s.id, s.name, s.plan::text AS plan, (extract(epoch FROM s.created_at) * 1000)::float8 AS created_ms, m.role::text AS role
     FROM space_members m JOIN spaces s ON s.id = m.space_id
     WHERE m.user_id = $1 AND m.space_id = ANY($2::text[])
     ORDER BY s.created_at, s.id`,
    [userId, spaceIds],
  );
  return rows.map((r) => ({ id: r.id, name: r.name, plan: r.plan, createdAt: new Date(Number(r.created_ms)), role: r.role }));
}
