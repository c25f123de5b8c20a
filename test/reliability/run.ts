/**
 * `npm run test:reliability`: the long variants of the reliability suites (more fuzz cases, more kills, a
 * 60 s soak), on the database the environment selects (DATABASE_URL or PGlite), then a summary table for
 * a release note. Extra arguments go to vitest (e.g. a single file).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SummaryRow } from './support/probe.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const summary = path.join(root, '.tmp', `reliability-summary-${process.pid}.jsonl`);
mkdirSync(path.dirname(summary), { recursive: true });
rmSync(summary, { force: true });

const env = {
  ...process.env,
  FUZZ_RUNS: process.env.FUZZ_RUNS ?? '5',
  CRASH_TRIALS: process.env.CRASH_TRIALS ?? '5',
  SOAK_SECONDS: process.env.SOAK_SECONDS ?? '60',
  RELIABILITY_SUMMARY: summary,
};
const args = process.argv.slice(2);
const vitest = spawn(
  process.execPath,
  [
    path.join(root, 'node_modules/vitest/vitest.mjs'),
    'run',
    ...(args.length ? args : ['test/reliability']),
    '--maxWorkers=1',
  ],
  { cwd: root, env, stdio: 'inherit' },
);
const code = await new Promise<number>((resolve) => vitest.on('exit', (c) => resolve(c ?? 1)));

const rows: SummaryRow[] = existsSync(summary)
  ? readFileSync(summary, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as SummaryRow)
  : [];
const table = [
  ['suite', 'database', 'cases tried', 'failures', 'p99 ms', 'RSS growth %'],
  ...rows.map((r) => [
    r.suite,
    r.database,
    String(r.cases),
    String(r.failures),
    r.p99Ms === undefined ? '' : String(r.p99Ms),
    r.rssGrowthPct === undefined ? '' : String(r.rssGrowthPct),
  ]),
];
const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
process.stdout.write(
  `\nReliability summary (FUZZ_RUNS=${env.FUZZ_RUNS}, CRASH_TRIALS=${env.CRASH_TRIALS}, SOAK_SECONDS=${env.SOAK_SECONDS})\n\n` +
    [line(table[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...table.slice(1).map(line)].join('\n') +
    '\n\n' +
    rows
      .filter((r) => r.note)
      .map((r) => `- ${r.suite}: ${r.note}`)
      .join('\n') +
    `\n\nvitest exited with ${code}\n`,
);
process.exit(code);
