import { readFileSync } from 'node:fs';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { expect, it } from 'vitest';
import { schema } from '../../graphql/schema.js';

it('graphql/schema.graphql is the printed schema (run `npm run codegen` after changing graphql/)', () => {
  const committed = readFileSync(new URL('../../graphql/schema.graphql', import.meta.url), 'utf8');
  expect(committed.trim()).toBe(printSchema(lexicographicSortSchema(schema)).trim());
});
