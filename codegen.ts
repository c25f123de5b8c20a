import type { CodegenConfig } from '@graphql-codegen/cli';
import { printSchema } from 'graphql';
import { schema } from './graphql/schema.js';

/** Emits the reviewed SDL (graphql/schema.graphql, committed); a test fails when it is stale. */
const config: CodegenConfig = {
  schema: printSchema(schema),
  generates: {
    'graphql/schema.graphql': { plugins: ['schema-ast'], config: { sort: true, includeDirectives: false } },
  },
  silent: true,
};

export default config;
