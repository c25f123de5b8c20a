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

/** The file a relative import names (`./x.js` is written for `./x.ts`), if it is one of ours. */
function target(file: string, spec: string, known: Set<string>): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = path.normalize(path.join(path.dirname(file), spec)).replace(/\.js$/, '');
  return [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) => known.has(candidate));
}

/** Strongly connected groups of files (Tarjan), each a cycle of imports; type-only imports count too. */
function importCycles(files: string[]): string[][] {
  const known = new Set(files);
  const edges = new Map(files.map((file) => [file, imports(file).flatMap((spec) => target(file, spec, known) ?? [])]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string) => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const next of edges.get(file) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!));
      }
    }
    if (low.get(file) === index.get(file)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== file);
      if (group.length > 1 || edges.get(file)!.includes(file)) cycles.push(group.sort());
    }
  };
  for (const file of files) if (!index.has(file)) visit(file);
  return cycles;
}

describe('architecture', () => {
  it('keeps src/domain free of transports and infrastructure clients', () => {
    const forbidden = /^(graphql|graphql-yoga|graphql-ws|ws|express|ioredis|tsoa|@tsoa\/.*|@pothos\/.*)$/;
    const offenders = sources('src/domain').flatMap((file) =>
      imports(file)
        .filter(
          (spec) => forbidden.test(spec) || resolvesInto(file, spec, 'graphql') || resolvesInto(file, spec, 'rest'),
        )
        .map((spec) => `${file} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps the two transports apart', () => {
    const offenders = [
      ...sources('graphql').flatMap((f) =>
        imports(f)
          .filter((s) => resolvesInto(f, s, 'rest'))
          .map((s) => `${f} imports ${s}`),
      ),
      ...sources('rest').flatMap((f) =>
        imports(f)
          .filter((s) => resolvesInto(f, s, 'graphql'))
          .map((s) => `${f} imports ${s}`),
      ),
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

  it('keeps the model (field types, formulas, cells) free of persistence', () => {
    const model = ['src/domain/fields', 'src/domain/formula', 'src/domain/cells'];
    const offenders = model.flatMap((dir) =>
      sources(dir).flatMap((file) =>
        imports(file)
          .filter((spec) => resolvesInto(file, spec, 'src/db'))
          .map((spec) => `${file} imports ${spec}`),
      ),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps the file system out of src/domain (adapters live in src/storage)', () => {
    const offenders = sources('src/domain').flatMap((file) =>
      imports(file)
        .filter((spec) => /^(node:)?fs(\/promises)?$/.test(spec))
        .map((spec) => `${file} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('has no import cycles between files', () => {
    const files = [...sources('src'), ...sources('graphql'), ...sources('rest')];
    expect(importCycles(files)).toEqual([]);
  });
});
