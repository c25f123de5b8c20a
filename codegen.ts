import type { CodegenConfig } from '@graphql-codegen/cli';
import { printSchema } from 'graphql';
import { schema } from './graphql/schema.js';

/**
 * Emits the reviewed SDL (graphql/schema.graphql, committed; a test fails when it is stale) and typed documents
 * for the documented operations in graphql/operations (graphql/__generated__/operations.ts, run by the tests).
 */
const config: CodegenConfig = {
  schema: printSchema(schema),
  documents: 'graphql/operations/*.graphql',
  generates: {
    'graphql/schema.graphql': { plugins: ['schema-ast'], config: { sort: true, includeDirectives: false } },
    'graphql/__generated__/operations.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        useTypeImports: true,
        scalars: { DateTime: 'string', JSON: 'unknown', ID: 'string' },
        enumsAsTypes: true,
      },
    },
  },
  silent: true,
};

export default config;
