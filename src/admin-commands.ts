import type { Services } from './services.js';

/**
 * What the CLI can do to an installation. The same functions run in the CLI process (when it opened the
 * database itself) or in the server behind its loopback admin endpoint, so there is one implementation.
 */
export const ADMIN_COMMANDS = {
  'space create': (s: Services, a: AdminArgs) =>
    s.spaces.create({ name: required(a, 'name'), plan: a.plan, ownerId: a.owner }),
  'space set-plan': (s: Services, a: AdminArgs) => s.spaces.setPlan(required(a, 'space'), required(a, 'plan')),
  'space list': (s: Services) => s.spaces.list(),
  'token create': (s: Services, a: AdminArgs) =>
    s.tokens.create({
      spaceId: required(a, 'space'),
      userId: a.user,
      name: a.name,
      scopes: list(a.scopes),
      datasheetIds: list(a.datasheets),
      expiresAt: a['expires-in-days'] ? expiryFromDays(a['expires-in-days']) : undefined,
    }),
  'token list': (s: Services, a: AdminArgs) => s.tokens.list(a.space),
  'token revoke': (s: Services, a: AdminArgs) => s.tokens.revoke(required(a, 'token')),
} as const;

export type AdminCommand = keyof typeof ADMIN_COMMANDS;
export type AdminArgs = Partial<Record<string, string>>;

export const isAdminCommand = (name: string): name is AdminCommand => Object.hasOwn(ADMIN_COMMANDS, name);

export class UsageError extends Error {
  override name = 'UsageError';
}

function required(args: AdminArgs, name: string): string {
  const value = args[name];
  if (!value) throw new UsageError(`--${name} is required`);
  return value;
}

function list(value: string | undefined): string[] | undefined {
  return value === undefined
    ? undefined
    : value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
}

function expiryFromDays(days: string): Date {
  const n = Number(days);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError('--expires-in-days must be a positive number');
  return new Date(Date.now() + n * 86_400_000);
}
