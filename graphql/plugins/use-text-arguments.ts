import type { Plugin } from 'graphql-yoga';
import { Kind, visit, type DocumentNode, type ValueNode } from 'graphql';
import { invalidArgument } from '../../src/domain/errors.js';
import { storableTextProblem } from '../../src/domain/text.js';
import { maskError } from '../errors.js';

/**
 * Text no database column can hold — a NUL character, or half of a UTF-16 surrogate pair (which has no
 * UTF-8 form) — is refused in any argument, literal or variable, before anything runs: INVALID_ARGUMENT
 * (HTTP 400) naming the argument, e.g. `input.name`, instead of a database error deep inside a resolver.
 */
export function useTextArguments(): Plugin {
  return {
    onExecute: ({ args, setResultAndStopExecution }) => refuseUnfit(args, setResultAndStopExecution),
    onSubscribe: ({ args, setResultAndStopExecution }) => refuseUnfit(args, setResultAndStopExecution),
  };
}

function refuseUnfit(
  args: { document: DocumentNode; variableValues?: Record<string, unknown> | null },
  setResultAndStopExecution: (result: { errors: never[] }) => void,
): void {
  const found = unfitText(args.document, (args.variableValues ?? {}) as Record<string, unknown>);
  if (found === undefined) return;
  const what = found.text.includes('\u0000') ? 'a NUL character (\\u0000)' : 'an unpaired UTF-16 surrogate';
  const error = invalidArgument(`Argument "${found.path}" contains ${what}, which text cannot hold`, {
    parameter: found.path,
  });
  setResultAndStopExecution({ errors: [maskError(error, 'Unexpected error.') as never] });
}

/** The first argument (by its path from the argument's name) holding unfit text, in literals and variables. */
export function unfitText(
  document: DocumentNode,
  variables: Record<string, unknown>,
): { path: string; text: string } | undefined {
  let found: { path: string; text: string } | undefined;
  // The path of a variable's value is spelled only once a string is found unfit (a mutation's variables may hold
  // thousands of strings): `at` holds the keys and indexes on the way down.
  const at: (string | number)[] = [];
  const spell = (root: string) =>
    at.reduce<string>((p, k) => (typeof k === 'number' ? `${p}[${k}]` : `${p}.${k}`), root);
  const inValue = (value: unknown, root: string): void => {
    if (typeof value === 'string') {
      if (storableTextProblem(value)) found = { path: spell(root), text: value };
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length && !found; i++) {
        at.push(i);
        inValue(value[i], root);
        at.pop();
      }
    } else if (value !== null && typeof value === 'object') {
      for (const key in value) {
        if (found) return;
        if (!Object.hasOwn(value, key)) continue;
        at.push(key);
        inValue((value as Record<string, unknown>)[key], root);
        at.pop();
      }
    }
  };
  const inRaw = (value: unknown, path: string): void => {
    if (found) return;
    at.length = 0;
    inValue(value, path);
  };
  const inLiteral = (node: ValueNode, path: string): void => {
    if (found) return;
    if (node.kind === Kind.STRING) inRaw(node.value, path);
    else if (node.kind === Kind.LIST) node.values.forEach((item, i) => inLiteral(item, `${path}[${i}]`));
    else if (node.kind === Kind.OBJECT)
      for (const field of node.fields) inLiteral(field.value, `${path}.${field.name.value}`);
    else if (node.kind === Kind.VARIABLE) inRaw(variables[node.name.value], path);
  };
  visit(document, {
    Argument: (node) => inLiteral(node.value, node.name.value),
    VariableDefinition: (node) => {
      if (node.defaultValue) inLiteral(node.defaultValue, `$${node.variable.name.value}`);
    },
  });
  return found;
}
