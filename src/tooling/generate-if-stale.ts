/**
 * `npm start` runs this first: code generation (Prisma client, tsoa routes and spec) runs only when an
 * output is missing or older than its inputs, so a start after `npm install` (which generates) is fast; then the
 * production build in dist/ (build.ts) is made when it is missing or older than a source.
 */
import { execSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIfStale } from './build.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function newest(target: string): number {
  const full = path.join(root, target);
  const stat = statSync(full, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(full).map((name) => newest(path.join(target, name))));
}

const inputs = Math.max(
  newest('prisma/schema.prisma'),
  newest('rest/controllers'),
  newest('rest/models'),
  newest('tsoa.json'),
);
const outputs = [
  'prisma/generated/client/client.ts',
  'prisma/generated/pothos-types.ts',
  'rest/__generated__/routes.ts',
  'rest/openapi.json',
];
const stale = outputs.some((file) => {
  const mtime = newest(file);
  return mtime === 0 || mtime < inputs;
});
if (stale) execSync('npm run generate', { cwd: root, stdio: 'inherit' });

if (process.argv.includes('--build')) {
  const t0 = performance.now();
  if (await buildIfStale(root)) process.stdout.write(`built dist/ in ${Math.round(performance.now() - t0)} ms\n`);
}
