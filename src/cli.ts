import { parseArgs } from 'node:util';
import { ADMIN_COMMANDS, isAdminCommand, UsageError, type AdminArgs, type AdminCommand } from './admin-commands.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { DataDirLockedError, readLiveLock, type LockInfo } from './db/data-dir-lock.js';
import { MigrationError } from './db/migrate.js';
import { DomainError } from './domain/errors.js';
import { openInstallation } from './installation.js';
import { describeError } from './logger.js';

const USAGE = `Usage: npm run cli -- <command> [options]

  space create --name <name> [--plan FREE|PLUS|PRO|ENTERPRISE] [--owner <usrId>]
  space set-plan --space <spcId> --plan <plan>
  space list
  token create --space <spcId> [--user <usrId>] [--name <name>] [--scopes a,b] [--datasheets dst1,dst2] [--expires-in-days N]
  token list [--space <spcId>]
  token revoke --token <tknId>

Add --json for machine-readable output.`;

const OPTIONS = {
  name: { type: 'string' },
  plan: { type: 'string' },
  owner: { type: 'string' },
  space: { type: 'string' },
  user: { type: 'string' },
  scopes: { type: 'string' },
  datasheets: { type: 'string' },
  'expires-in-days': { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** How long to wait for a server that holds the lock but has not published its admin endpoint yet. */
const ADMIN_WAIT_MS = 30_000;

async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const command = positionals.slice(0, 2).join(' ');
  if (positionals.length !== 2 || !isAdminCommand(command))
    throw new UsageError(`unknown command "${positionals.join(' ')}"; see --help`);
  const { json, help: _help, ...rest } = values;
  const args = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, String(v)])) as AdminArgs;
  const result = await run(loadConfig(), command, args);
  process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : format(command, result));
}

/** Through the running server when it holds the embedded database, else on the database directly. */
async function run(config: Config, command: AdminCommand, args: AdminArgs): Promise<unknown> {
  if (!config.databaseUrl) {
    const holder = await readLiveLock(config.dataDir);
    if (holder) return runRemote(config, await waitForAdmin(config, holder), command, args);
  }
  const installation = await openInstallation(config, { role: 'cli' });
  try {
    return await ADMIN_COMMANDS[command](installation.services, args);
  } finally {
    await installation.close();
  }
}

async function waitForAdmin(config: Config, holder: LockInfo): Promise<NonNullable<LockInfo['admin']>> {
  const deadline = Date.now() + ADMIN_WAIT_MS;
  let current: LockInfo | undefined = holder;
  while (current) {
    if (current.admin) return current.admin;
    if (current.role === 'cli' || Date.now() > deadline) throw new DataDirLockedError(config.dataDir, current);
    await new Promise((r) => setTimeout(r, 200));
    current = await readLiveLock(config.dataDir);
  }
  // The holder went away while we waited; the caller retries on the files.
  throw new DataDirLockedError(config.dataDir, holder);
}

async function runRemote(
  _config: Config,
  admin: NonNullable<LockInfo['admin']>,
  command: AdminCommand,
  args: AdminArgs,
): Promise<unknown> {
  const response = await fetch(`${admin.url}/admin/commands`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-admin-secret': admin.secret },
    body: JSON.stringify({ command, args }),
  });
  const body = (await response.json()) as { result?: unknown; error?: string };
  if (!response.ok) throw new UsageError(body.error ?? `server answered ${response.status}`);
  return body.result;
}

function format(command: AdminCommand, result: unknown): string {
  if (command === 'token create') {
    const { secret, token } = result as { secret: string; token: { id: string; spaceId: string; scopes: string[] } };
    return [
      `Created token ${token.id} in space ${token.spaceId} (scopes: ${token.scopes.join(', ')}).`,
      'The token is shown once; store it now:',
      '',
      `  ${secret}`,
      '',
    ].join('\n');
  }
  const rows = Array.isArray(result) ? result : [result];
  if (rows.length === 0) return 'Nothing found.\n';
  return `${rows.map((row) => describeRow(row as Record<string, unknown>)).join('\n')}\n`;
}

function describeRow(row: Record<string, unknown>): string {
  if ('secretHash' in row || 'prefix' in row) {
    const state = row.revokedAt
      ? 'revoked'
      : row.expiresAt && new Date(String(row.expiresAt)) < new Date()
        ? 'expired'
        : 'active';
    const restricted = (row.datasheetIds as string[]).length
      ? ` datasheets=${(row.datasheetIds as string[]).join(',')}`
      : '';
    return `${String(row.id)}  ${String(row.prefix)}…  ${state}  space=${String(row.spaceId)}  "${String(row.name)}"  scopes=${(row.scopes as string[]).join(',')}${restricted}`;
  }
  return `${String(row.id)}  ${String(row.plan)}  "${String(row.name)}"`;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const known =
    error instanceof UsageError ||
    error instanceof DomainError ||
    error instanceof ConfigError ||
    error instanceof MigrationError ||
    error instanceof DataDirLockedError;
  process.stderr.write(`error: ${known ? (error as Error).message : describeError(error).message}\n`);
  process.exit(1);
});
