/**
 * The production build: every TypeScript file the server runs (src, rest, graphql and the generated Prisma client)
 * transpiled once by esbuild (tsx's own compiler) into `dist/`, in the same tree, so relative imports and the files
 * read beside the code (rest/openapi.json, prisma/migrations) keep their places. Packages stay in node_modules.
 * `npm start` runs `dist/src/main.js`; generate-if-stale.ts calls `buildIfStale` first, so a fresh clone's
 * `npm install && npm start` builds on its first start and a changed source file rebuilds on the next.
 */
import { cpSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/** Trees compiled into dist/ (test code and tooling are not part of the server). */
const SOURCES = ['src', 'rest', 'graphql', 'prisma/generated'];
/** Files the server reads at run time next to its code. */
const ASSETS = ['rest/openapi.json', 'prisma/migrations'];
/** Inputs besides SOURCES and ASSETS whose change makes a build stale. */
const CONFIG = ['package.json', 'tsconfig.json'];
const STAMP = '.build-stamp';

function files(root: string, dir: string, out: string[] = []): string[] {
  const full = path.join(root, dir);
  const stat = statSync(full, { throwIfNoEntry: false });
  if (!stat) return out;
  if (!stat.isDirectory()) {
    out.push(dir);
    return out;
  }
  for (const name of readdirSync(full)) files(root, path.join(dir, name), out);
  return out;
}

/** The newest modification time of any build input (0 when there is none). */
function newestInput(root: string): number {
  let newest = 0;
  for (const file of [...SOURCES, ...ASSETS, ...CONFIG].flatMap((d) => files(root, d)))
    newest = Math.max(newest, statSync(path.join(root, file)).mtimeMs);
  return newest;
}

/** True when `outdir` holds no build, or one older than an input. */
export function isStale(root: string, outdir = path.join(root, 'dist')): boolean {
  const stamp = statSync(path.join(outdir, STAMP), { throwIfNoEntry: false });
  return !stamp || stamp.mtimeMs < newestInput(root);
}

/** Compiles the server into `outdir` (default `<root>/dist`), replacing what was there. */
export async function buildServer(root: string, outdir = path.join(root, 'dist')): Promise<void> {
  const startedAt = Date.now();
  rmSync(outdir, { recursive: true, force: true });
  const entryPoints = SOURCES.flatMap((d) => files(root, d)).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith(path.join('src', 'tooling')),
  );
  await build({
    absWorkingDir: root,
    entryPoints,
    outdir,
    outbase: '.',
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // tsoa's decorators are TypeScript's experimental ones (tsconfig.json experimentalDecorators).
    tsconfig: path.join(root, 'tsconfig.json'),
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  for (const asset of ASSETS) {
    const from = path.join(root, asset);
    if (statSync(from, { throwIfNoEntry: false })) cpSync(from, path.join(outdir, asset), { recursive: true });
  }
  // Written last, dated at the build's start: an input changed while building leaves the build stale.
  // (dist/ is inside the package, so its "type": "module" makes the .js files ESM like the sources.)
  const stamp = path.join(outdir, STAMP);
  writeFileSync(stamp, `${new Date(startedAt).toISOString()}\n`);
  utimesSync(stamp, new Date(startedAt), new Date(startedAt));
}

/** Builds when `outdir` is missing or older than an input; answers whether it built. */
export async function buildIfStale(root: string, outdir = path.join(root, 'dist')): Promise<boolean> {
  if (!isStale(root, outdir)) return false;
  await buildServer(root, outdir);
  return true;
}

/** `npm run build`: always builds. */
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const t0 = performance.now();
  await buildServer(root);
  process.stdout.write(`built dist/ in ${Math.round(performance.now() - t0)} ms\n`);
}
