import { readFileSync } from 'node:fs';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { expect, it } from 'vitest';
import { schema } from '../../graphql/schema.js';

it('graphql/schema.graphql is the printed schema (run `npm run codegen` after changing graphql/)', () => {
  const committed = readFileSync(new URL('../../graphql/schema.graphql', import.meta.url), 'utf8');
  expect(committed.trim()).toBe(printSchema(lexicographicSortSchema(schema)).trim());
});

it('graphql/__generated__/operations.ts is what codegen emits for graphql/operations (run `npm run codegen`)', async () => {
  const { generate } = await import('@graphql-codegen/cli');
  const { default: config } = await import('../../codegen.js');
  const files = (await generate({ ...config, cwd: new URL('../..', import.meta.url).pathname }, false)) as {
    filename: string;
    content: string;
  }[];
  const emitted = files.find((f) => f.filename.endsWith('operations.ts'))!.content;
  const committed = readFileSync(new URL('../../graphql/__generated__/operations.ts', import.meta.url), 'utf8');
  expect(committed.trim()).toBe(emitted.trim());
});
