import { createHash, timingSafeEqual } from 'node:crypto';
import { asQueryable, type PrismaClient, type Queryable } from '../../db/client.js';
import { tokenByHash, touchToken } from '../../db/stores/access.store.js';
import type { Actor } from '../context.js';
import { DomainError, invalidArgument, notFound } from '../errors.js';
import { isId, newId, randomBase62 } from '../ids.js';
import { isScope, SCOPES, type Scope } from './scopes.js';
import type { AuditService } from '../audit/audit.service.js';
import { createTokenCache, type TokenCache } from './token-cache.js';

/** Secrets look like `tbk_<43 base62>` (~256 bits); the prefix makes leaked tokens easy to scan for. */
export const TOKEN_PREFIX = 'tbk_';
const SECRET_LENGTH = 43;
const VISIBLE_CHARS = 8;
/** Writing last_used_at on every request would cost a write per call; once a minute is enough to be useful. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface CreateTokenInput {
  spaceId: string;
  /** Defaults to the space's owner. */
  userId?: string | undefined;
  name?: string | undefined;
  /** Defaults to every scope. */
  scopes?: readonly string[] | undefined;
  datasheetIds?: readonly string[] | undefined;
  expiresAt?: Date | undefined;
  /** The tokens it is created by, root first (createFor); revoking or expiring any of them ends it. */
  ancestorIds?: readonly string[] | undefined;
}

export interface TokenSummary {
  id: string;
  spaceId: string;
  userId: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  datasheetIds: string[];
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
}

/** `Bearer `, exactly one space, then one token68 (RFC 6750 §2.1) and nothing after it. */
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/;

/**
 * The secret of an `Authorization` header, shared by every transport: only the exact `Bearer ` prefix counts
 * (capital B, one space, as the reference: aitable-fusion-api.md §1.2) followed by the token alone; extra
 * spaces, a second word or an empty token are no token at all.
 */
export function bearerSecret(header: string | null | undefined): string | undefined {
  return typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
}

export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** A fresh secret and the row that stores its hash; callers insert it, possibly inside their own transaction. */
export function newTokenData(input: {
  spaceId: string;
  userId: string;
  name?: string | undefined;
  scopes: Scope[];
  datasheetIds: string[];
  expiresAt?: Date | undefined;
  ancestorIds?: readonly string[] | undefined;
}) {
  const secret = TOKEN_PREFIX + randomBase62(SECRET_LENGTH);
  const data = {
    id: newId('token'),
    spaceId: input.spaceId,
    userId: input.userId,
    name: input.name?.trim() || 'API token',
    prefix: secret.slice(0, TOKEN_PREFIX.length + VISIBLE_CHARS),
    secretHash: hashSecret(secret),
    scopes: input.scopes,
    datasheetIds: input.datasheetIds,
    expiresAt: input.expiresAt ?? null,
    ancestorIds: [...(input.ancestorIds ?? [])],
  };
  return { secret, data };
}

/** Who performs an administrative action, for the audit log (null: the installation's CLI). */
export interface ActingAs {
  userId: string | null;
  tokenId: string | null;
  requestId?: string | null;
}

export function createTokenService(
  prisma: PrismaClient,
  db: Queryable,
  audit: AuditService,
  now: () => Date = () => new Date(),
  /** Verified tokens kept in memory while the database's change notifications are heard (token-cache.ts). */
  cache: TokenCache = createTokenCache(),
) {
  /** A token change's audit row, written on the change's own transaction (both commit, or neither). */
  const audited = (
    tx: Parameters<typeof asQueryable>[0],
    by: ActingAs,
    action: 'token.created' | 'token.revoked',
    row: { spaceId: string; id: string },
    detail: Record<string, unknown>,
  ) =>
    audit.recordIn(asQueryable(tx), {
      spaceId: row.spaceId,
      actorId: by.userId,
      tokenId: by.tokenId,
      requestId: by.requestId ?? null,
      action,
      targetType: 'token',
      targetId: row.id,
      detail,
    });

  async function create(
    input: CreateTokenInput,
    by: ActingAs = { userId: null, tokenId: null },
  ): Promise<{ secret: string; token: TokenSummary }> {
    const scopes = validateScopes(input.scopes ?? SCOPES);
    const datasheetIds = [...new Set(input.datasheetIds ?? [])];
    const bad = datasheetIds.find((id) => !isId('datasheet', id));
    if (bad !== undefined) throw invalidArgument(`"${bad}" is not a datasheet id`, { parameter: 'datasheets' });
    if (input.expiresAt && input.expiresAt.getTime() <= now().getTime()) {
      throw invalidArgument('expiry must be in the future', { parameter: 'expires' });
    }
    const space = await prisma.space.findUnique({
      where: { id: input.spaceId },
      include: { members: { where: input.userId ? { userId: input.userId } : { role: 'owner' }, take: 1 } },
    });
    if (!space) throw notFound(`Space ${input.spaceId} does not exist`, { parameter: 'space' });
    const member = space.members[0];
    if (!member) {
      throw invalidArgument(`User ${input.userId ?? '(owner)'} is not a member of space ${space.id}`, {
        parameter: 'user',
      });
    }
    const { secret, data } = newTokenData({
      ...input,
      spaceId: space.id,
      userId: member.userId,
      scopes,
      datasheetIds,
      ancestorIds: input.ancestorIds,
    });
    // The token and its audit row commit together: a failed audit write leaves no token.
    const row = await prisma.$transaction(async (tx) => {
      const row = await tx.apiToken.create({ data });
      await audited(tx, by, 'token.created', row, {
        name: row.name,
        prefix: row.prefix,
        userId: row.userId,
        scopes: row.scopes,
        datasheetIds: [...row.datasheetIds],
      });
      return row;
    });
    return { secret, token: summary(row) };
  }

  async function list(spaceId?: string): Promise<TokenSummary[]> {
    const rows = await prisma.apiToken.findMany({
      where: spaceId ? { spaceId } : {},
      orderBy: { createdAt: 'asc' },
    });
    return rows.map(summary);
  }

  /**
   * Revokes a token (of the given space, when one is given) and every token created through it, directly or
   * not; revoking twice is harmless. (authenticate refuses descendants of a revoked token anyway, so one
   * created while its creator was being revoked ends too.)
   */
  async function revoke(
    tokenId: string,
    by: ActingAs = { userId: null, tokenId: null },
    spaceId?: string,
  ): Promise<TokenSummary> {
    const row = await prisma.apiToken.findUnique({ where: { id: tokenId } });
    if (!row || (spaceId !== undefined && row.spaceId !== spaceId))
      throw notFound(`Token ${tokenId} does not exist`, { parameter: 'token' });
    if (row.revokedAt) return summary(row);
    const at = now();
    // The token, its descendants (tokens created through it) and the audit row change together.
    const updated = await prisma.$transaction(async (tx) => {
      const updated = await tx.apiToken.update({ where: { id: tokenId }, data: { revokedAt: at } });
      const descendants = await tx.apiToken.updateMany({
        where: { spaceId: row.spaceId, ancestorIds: { has: tokenId }, revokedAt: null },
        data: { revokedAt: at },
      });
      await audited(tx, by, 'token.revoked', row, {
        name: row.name,
        prefix: row.prefix,
        ...(descendants.count > 0 ? { descendantsRevoked: descendants.count } : {}),
      });
      return updated;
    });
    // This process refuses it from the next request on; others when the database's notification reaches them.
    cache.invalidate();
    return summary(updated);
  }

  /**
   * Resolves a bearer secret to the acting user, or fails with UNAUTHORIZED whatever the reason (unknown,
   * revoked, expired, or its user no longer a member of the token's space). One indexed query, or none for a token
   * verified before: the cache is used only while the database's change notifications are heard, and any change to
   * tokens, memberships or spaces empties it (in every process), so a revocation is refused on the next request.
   */
  async function authenticate(secret: string): Promise<Actor> {
    const unauthorized = () => new DomainError('UNAUTHORIZED', 'Unauthorized');
    if (!secret.startsWith(TOKEN_PREFIX) || secret.length > 200) throw unauthorized();
    const hash = hashSecret(secret);
    let row = cache.get(hash);
    if (!row) {
      const since = cache.generation;
      row = await tokenByHash(db, hash);
      // The lookup is by hash, so timing reveals nothing of the secret; compare anyway in constant time.
      if (!row || !timingSafeEqual(Buffer.from(row.secretHash), Buffer.from(hash))) throw unauthorized();
      if (!row.revoked && row.role) cache.set(hash, row, since);
    }
    const at = now();
    if (row.revoked || (row.expiresMs !== null && row.expiresMs <= at.getTime()) || !row.role) throw unauthorized();
    if (row.lastUsedMs === null || at.getTime() - row.lastUsedMs > LAST_USED_RESOLUTION_MS) {
      // A cached row is shared: the next request sees the time written.
      row.lastUsedMs = at.getTime();
      await touchToken(db, row.id, at);
    }
    return {
      userId: row.userId,
      tokenId: row.id,
      spaceId: row.spaceId,
      spaceName: row.spaceName,
      scopes: row.scopes.filter(isScope),
      datasheetIds: [...row.datasheetIds],
      role: row.role,
      plan: row.plan,
    };
  }

  /**
   * A token created through the API by another token: for the caller's own user and space, never with
   * scopes or datasheets beyond the caller's own, never outliving it (its expiry defaults to the caller's and
   * may not be later), and ended with it (revoking the caller revokes it).
   */
  async function createFor(
    caller: Actor,
    input: {
      name: string;
      scopes?: readonly string[] | null;
      datasheetIds?: readonly string[] | null;
      expiresAt?: Date | null;
      spaceId: string;
    },
    by: ActingAs,
  ) {
    const scopes = input.scopes ?? caller.scopes;
    const beyond = scopes.find((s) => !caller.scopes.includes(s as Scope));
    if (beyond !== undefined)
      throw invalidArgument(`A token cannot grant the ${beyond} scope it does not have`, { parameter: 'scopes' });
    const datasheetIds = input.datasheetIds ?? caller.datasheetIds;
    if (
      caller.datasheetIds.length > 0 &&
      (datasheetIds.length === 0 || datasheetIds.some((id) => !caller.datasheetIds.includes(id)))
    ) {
      throw invalidArgument('A restricted token can only create tokens restricted to its own datasheets', {
        parameter: 'datasheetIds',
      });
    }
    const parent = await prisma.apiToken.findUnique({
      where: { id: caller.tokenId },
      select: { id: true, expiresAt: true, ancestorIds: true },
    });
    if (!parent) throw new DomainError('UNAUTHORIZED', 'Unauthorized');
    const expiresAt = input.expiresAt ?? parent.expiresAt ?? undefined;
    if (parent.expiresAt && expiresAt && expiresAt.getTime() > parent.expiresAt.getTime()) {
      throw invalidArgument(
        `A token cannot outlive the token that creates it, which expires at ${parent.expiresAt.toISOString()}`,
        { parameter: 'expiresAt' },
      );
    }
    const ancestorIds = [...(parent.ancestorIds ?? []), parent.id];
    return create(
      { spaceId: input.spaceId, userId: caller.userId, name: input.name, scopes, datasheetIds, expiresAt, ancestorIds },
      by,
    );
  }

  /** Who a token is: its user, space, role, scopes and restriction (GET /fusion/v1/me, GraphQL `me`). */
  async function identity(actor: Actor) {
    const [user, token, space] = await Promise.all([
      prisma.user.findUniqueOrThrow({ where: { id: actor.userId }, select: { id: true, name: true, email: true } }),
      prisma.apiToken.findUniqueOrThrow({ where: { id: actor.tokenId } }),
      prisma.space.findUniqueOrThrow({ where: { id: actor.spaceId }, select: { id: true, name: true, plan: true } }),
    ]);
    return {
      user,
      space: { ...space, role: actor.role },
      token: {
        id: token.id,
        name: token.name,
        prefix: token.prefix,
        expiresAt: token.expiresAt,
        createdAt: token.createdAt,
      },
      scopes: [...actor.scopes],
      datasheetIds: [...actor.datasheetIds],
    };
  }

  return { create, createFor, list, revoke, authenticate, identity };
}

export type TokenService = ReturnType<typeof createTokenService>;

function validateScopes(scopes: readonly string[]): Scope[] {
  const unknown = scopes.find((s) => !isScope(s));
  if (unknown !== undefined) {
    throw invalidArgument(`Unknown scope "${unknown}"; scopes are ${SCOPES.join(', ')}`, { parameter: 'scopes' });
  }
  if (scopes.length === 0) throw invalidArgument('A token needs at least one scope', { parameter: 'scopes' });
  return [...new Set(scopes as Scope[])];
}

function summary(row: {
  id: string;
  spaceId: string;
  userId: string;
  name: string;
  prefix: string;
  scopes: string[];
  datasheetIds: string[];
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
}): TokenSummary {
  // Named one by one: a database row also holds the secret's hash, which no caller (CLI, GraphQL, a stored
  // idempotent answer) should ever carry.
  const { id, spaceId, userId, name, prefix, datasheetIds, expiresAt, revokedAt, lastUsedAt, createdAt } = row;
  const scopes = row.scopes.filter(isScope);
  return { id, spaceId, userId, name, prefix, scopes, datasheetIds, expiresAt, revokedAt, lastUsedAt, createdAt };
}
