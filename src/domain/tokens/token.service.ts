import { createHash, timingSafeEqual } from 'node:crypto';
import type { PrismaClient } from '../../db/client.js';
import type { Actor } from '../context.js';
import { DomainError, ErrorCode, invalidArgument, notFound } from '../errors.js';
import { isId, newId, randomBase62 } from '../ids.js';
import { isScope, SCOPES, type Scope } from './scopes.js';

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

export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** A fresh secret and the row that stores its hash; callers insert it, possibly inside their own transaction. */
export function newTokenData(input: {
  spaceId: string;
  userId: string;
  name?: string | undefined;
  scopes: Scope[];
  datasheetIds: string[];
  expiresAt?: Date | undefined;
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
  };
  return { secret, data };
}

export function createTokenService(prisma: PrismaClient, now: () => Date = () => new Date()) {
  async function create(input: CreateTokenInput): Promise<{ secret: string; token: TokenSummary }> {
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
    const { secret, data } = newTokenData({ ...input, spaceId: space.id, userId: member.userId, scopes, datasheetIds });
    const row = await prisma.apiToken.create({ data });
    return { secret, token: summary(row) };
  }

  async function list(spaceId?: string): Promise<TokenSummary[]> {
    const rows = await prisma.apiToken.findMany({
      where: spaceId ? { spaceId } : {},
      orderBy: { createdAt: 'asc' },
    });
    return rows.map(summary);
  }

  async function revoke(tokenId: string): Promise<TokenSummary> {
    const row = await prisma.apiToken.findUnique({ where: { id: tokenId } });
    if (!row) throw notFound(`Token ${tokenId} does not exist`, { parameter: 'token' });
    if (row.revokedAt) return summary(row);
    return summary(await prisma.apiToken.update({ where: { id: tokenId }, data: { revokedAt: now() } }));
  }

  /** Resolves a bearer secret to the acting user, or fails with UNAUTHORIZED whatever the reason. */
  async function authenticate(secret: string): Promise<Actor> {
    const unauthorized = () => new DomainError(ErrorCode.UNAUTHORIZED, 'Unauthorized');
    if (!secret.startsWith(TOKEN_PREFIX) || secret.length > 200) throw unauthorized();
    const hash = hashSecret(secret);
    const row = await prisma.apiToken.findUnique({ where: { secretHash: hash } });
    // The lookup is by hash, so timing reveals nothing of the secret; compare anyway in constant time.
    if (!row || !timingSafeEqual(Buffer.from(row.secretHash), Buffer.from(hash))) throw unauthorized();
    const at = now();
    if (row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= at.getTime())) throw unauthorized();
    if (!row.lastUsedAt || at.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: at } });
    }
    return {
      userId: row.userId,
      tokenId: row.id,
      spaceId: row.spaceId,
      scopes: row.scopes.filter(isScope),
      datasheetIds: row.datasheetIds,
    };
  }

  return { create, list, revoke, authenticate };
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
  return { ...row, scopes: row.scopes.filter(isScope) };
}
