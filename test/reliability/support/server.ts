import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freshPostgresDatabase } from '../../support/database.js';
import { freePort, runTs, waitReady, type Running } from '../../support/process.js';

/**
 * src/main.ts as its own process over a fresh database (a PGlite data directory, or a new database on
 * DATABASE_URL's server), as a user runs it: its stdout and stderr are kept for the leak checks, and it
 * can be killed and started again on the same data and port.
 */
export interface ServerProcess {
  url: string;
  port: number;
  /** The bootstrap token (every scope) printed on the first start. */
  token: string;
  spaceId: string;
  /** The database the server uses: DATABASE_URL (PostgreSQL) or undefined (PGlite under dataDir). */
  databaseUrl: string | undefined;
  dataDir: string;
  /** The running process (replaced by restart()). */
  current(): Running;
  /** Every process's output so far, each line as written (JSON log lines and the banner). */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<number | string>;
  /** Starts the server again on the same data and port, once the previous process has ended. */
  restart(extraEnv?: Record<string, string>): Promise<void>;
  dispose(): Promise<void>;
}

export async function startServerProcess(
  env: Record<string, string | undefined> = {},
  options: {
    databaseUrl?: string;
    /**
     * Another server process on that one's PostgreSQL database (its space and bootstrap token: a second process
     * prints none); disposing of it leaves the database to that one.
     */
    beside?: ServerProcess;
  } = {},
): Promise<ServerProcess> {
  const { beside } = options;
  if (beside && !beside.databaseUrl) throw new Error('a second server process needs PostgreSQL (DATABASE_URL)');
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tb-rel-'));
  const pgdb = options.databaseUrl || beside ? undefined : await freshPostgresDatabase();
  const databaseUrl = beside?.databaseUrl ?? options.databaseUrl ?? pgdb?.url;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const baseEnv = {
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'info',
    RATE_LIMIT: 'off',
    ...env,
  };
  const previous: string[] = [];
  let running: Running;
  const launch = async (extra: Record<string, string> = {}) => {
    running = runTs('src/main.ts', [], { ...baseEnv, ...extra });
    await running.waitFor(/Fusion API/, 180_000);
    await waitReady(url, 180_000);
  };
  await launch();
  const token = beside ? beside.token : (await running!.waitFor(/\n\s+(tbk_[0-9A-Za-z]+)\n/))[1]!;
  const spaceId =
    beside?.spaceId ??
    (
      (await (await fetch(`${url}/fusion/v1/spaces`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
        data: { spaces: { id: string }[] };
      }
    ).data.spaces[0]!.id;
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill(signal);
    return running.exited;
  };
  return {
    url,
    port,
    token,
    spaceId,
    databaseUrl,
    dataDir,
    current: () => running,
    output: () => [...previous, running.stdout() + running.stderr()].join('\n'),
    kill,
    async restart(extra) {
      await kill();
      previous.push(running.stdout() + running.stderr());
      await launch(extra);
    },
    async dispose() {
      await kill('SIGTERM');
      await pgdb?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** What must never reach a client or a log line: a stack frame, SQL text, a driver's error, a token secret. */
const LEAKS: [string, RegExp][] = [
  ['a stack frame', /\n\s*at [^\n]*:\d+:\d+|\bat (async )?[\w.<>]+ \([^)]*:\d+:\d+\)/],
  ['SQL text', /\bSELECT\b[^"]{0,200}\bFROM\b|\bINSERT INTO\b|\bDELETE FROM\b|\bUPDATE\s+"?\w+"?\s+SET\b/],
  ['a database error', /\bERROR:\s|SQLSTATE|\bprisma\.\w+\(|PrismaClient\w*Error|node_modules|\.ts:\d+/],
];

/** Names what `text` leaks (stack, SQL, `secret`), or undefined. */
export function leakIn(text: string, secrets: string[]): string | undefined {
  for (const [what, pattern] of LEAKS) if (pattern.test(text)) return `${what}: ${text.match(pattern)![0]}`;
  for (const secret of secrets) if (secret && text.includes(secret)) return 'a token secret';
  return undefined;
}

/**
 * The server's log lines (JSON on stdout), and whatever else it wrote apart from the start-up banner
 * (which prints the bootstrap token once, by design).
 */
export function logOutput(output: string): { json: string[]; other: string[] } {
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  const json = lines.filter((line) => line.startsWith('{'));
  const banner = /^\s+(GraphQL|Fusion API|Database|First start|This token|Try it|curl|tbk_)/;
  const other = lines.filter((line) => !line.startsWith('{') && !banner.test(line));
  return { json, other };
}
