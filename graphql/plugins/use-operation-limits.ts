import type { Plugin } from 'graphql-yoga';
import { createGraphQLError } from 'graphql-yoga';
import {
  Kind,
  Lexer,
  Source,
  TokenKind,
  type ASTNode,
  type ASTVisitor,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { shapeMeter, type Shape } from './operation-shape.js';

/**
 * Size limits checked before any resolver, metering or database work: a document of more than `tokens`
 * lexical tokens is not parsed (graphql-js's `maxTokens` backs the count up), and an operation deeper than `depth`,
 * with more than `aliases` aliases or `directives` directives (fragments expanded) fails validation.
 * Both answer HTTP 400 with `extensions.code` QUERY_TOO_COMPLEX and the limit that was passed (also to
 * `application/json` clients, which GraphQL over HTTP would otherwise answer 200 for a validation error).
 */
export interface OperationLimits {
  tokens: number;
  depth: number;
  aliases: number;
  directives: number;
}

/** The standard introspection query (GraphiQL) needs depth 15 and about 160 tokens. */
export const DEFAULT_OPERATION_LIMITS: OperationLimits = Object.freeze({
  tokens: 3_000,
  depth: 15,
  aliases: 30,
  directives: 50,
});

export const QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX';

const tooComplex = (message: string, limit: keyof OperationLimits, max: number, nodes?: ASTNode[]) =>
  createGraphQLError(message, {
    nodes,
    extensions: { code: QUERY_TOO_COMPLEX, limit, max, http: { status: 400, spec: false } },
  });

export function useOperationLimits(limits: OperationLimits = DEFAULT_OPERATION_LIMITS): Plugin {
  const rule = operationLimitsRule(limits);
  return {
    // Counted before Yoga parses, so the refusal keeps its HTTP 400 (Yoga marks parse errors as spec errors,
    // which GraphQL over HTTP answers 200 to application/json clients). A token is at least one character, so
    // only a document longer than the limit is lexed here (most are not: they are lexed once, by the parser).
    onParams({ params, setResult }) {
      const query = params.query;
      if (typeof query === 'string' && query.length > limits.tokens && moreTokensThan(query, limits.tokens)) {
        setResult({
          errors: [tooComplex(`The document has more than ${limits.tokens} tokens`, 'tokens', limits.tokens)],
        });
      }
    },
    // And graphql-js's own cap wherever a document is parsed.
    onParse({ setParseFn, parseFn }) {
      setParseFn((source, options) => parseFn(source, { ...options, maxTokens: limits.tokens }));
    },
    onValidate({ addValidationRule }) {
      addValidationRule(rule);
    },
  };
}

/** Lexes at most `max + 1` tokens; a syntax error is left for the parser to report. */
function moreTokensThan(query: string, max: number): boolean {
  const lexer = new Lexer(new Source(query));
  try {
    for (let count = 0; lexer.advance().kind !== TokenKind.EOF; ) if (++count > max) return true;
  } catch {
    return false;
  }
  return false;
}

export function operationLimitsRule(limits: OperationLimits): ValidationRule {
  const checks: { key: keyof Shape & keyof OperationLimits; text: (max: number) => string }[] = [
    { key: 'depth', text: (max) => `fields nested deeper than ${max} levels` },
    { key: 'aliases', text: (max) => `more than ${max} aliases` },
    { key: 'directives', text: (max) => `more than ${max} directives` },
  ];
  const OperationLimitsRule = (context: ValidationContext): ASTVisitor => {
    const measure = shapeMeter((name) => context.getFragment(name));
    return {
      [Kind.OPERATION_DEFINITION](operation) {
        const shape = measure(operation);
        const name = operation.name ? `Operation "${operation.name.value}"` : 'The operation';
        for (const { key, text } of checks) {
          if (shape[key] > limits[key])
            context.reportError(
              tooComplex(`${name} has ${text(limits[key])} (fragments expanded)`, key, limits[key], [operation]),
            );
        }
      },
    };
  };
  return OperationLimitsRule;
}
