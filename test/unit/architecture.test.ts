import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/process.js';

/** The dependency rules of aesthetics.md §8.4, read off the import specifiers. */
function sources(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  return readdirSync(abs).flatMap((name) => {
    const file = path.join(abs, name);
    if (name === '__generated__' || name === 'generated') return [];
    if (statSync(file).isDirectory()) return sources(path.join(dir, name));
    return name.endsWith('.ts') ? [path.join(dir, name)] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

const resolvesInto = (file: string, spec: string, dir: string) =>
  spec.startsWith('.') && path.normalize(path.join(path.dirname(file), spec)).startsWith(`${dir}/`);

describe('architecture', () => {
  it('keeps src/domain free of transports and infrastructure clients', () => {
    const forbidden = /^(graphql|graphql-yoga|graphql-ws|ws|express|ioredis|tsoa|@tsoa\/.*|@pothos\/.*)$/;
    const offenders = sources('src/domain').flatMap((file) =>
      imports(file)
        .filter((spec) => forbidden.test(spec) || resolvesInto(file, spec, 'graphql') || resolvesInto(file, spec, 'rest'))
        .map((spec) => `${file} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps the two transports apart', () => {
    const offenders = [
      ...sources('graphql').flatMap((f) => imports(f).filter((s) => resolvesInto(f, s, 'rest')).map((s) => `${f} imports ${s}`)),
      ...sources('rest').flatMap((f) => imports(f).filter((s) => resolvesInto(f, s, 'graphql')).map((s) => `${f} imports ${s}`)),
    ];
    expect(offenders).toEqual([]);
  });

  it('writes raw SQL only in src/db', () => {
    const raw = /\$(queryRaw|executeRaw)(Unsafe)?\b|\bsql`/;
    const offenders = [...sources('src'), ...sources('graphql'), ...sources('rest')]
      .filter((file) => !file.startsWith(`src${path.sep}db${path.sep}`))
      .filter((file) => raw.test(readFileSync(path.join(ROOT, file), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
