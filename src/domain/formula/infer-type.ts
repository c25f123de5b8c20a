import type { FieldDef } from '../fields/field-type.js';
import type { FormulaNode, ValueType } from './ast.js';
import { fieldValueType } from './field-values.js';
import { FUNCTIONS, type FunctionName } from './function-registry.js';

/**
 * The type-inference pass (Teable's `getReturnType`): assigns every node its value type, children first, and runs
 * the functions' parse-time argument checks. Rules: ast.ts.
 */
export function inferTypes(node: FormulaNode, fields: ReadonlyMap<string, FieldDef>): ValueType {
  node.type = typeOf(node, fields);
  return node.type;
}

function typeOf(node: FormulaNode, fields: ReadonlyMap<string, FieldDef>): ValueType {
  switch (node.kind) {
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'field': {
      const field = fields.get(node.fieldId);
      return field ? fieldValueType(field) : 'null';
    }
    case 'unary':
      inferTypes(node.arg, fields);
      return node.op === '!' ? 'boolean' : 'number';
    case 'binary': {
      const left = inferTypes(node.left, fields);
      const right = inferTypes(node.right, fields);
      switch (node.op) {
        case '+':
          return isTextual(left) || isTextual(right) ? 'string' : 'number';
        case '-':
        case '*':
        case '/':
        case '%':
          return 'number';
        case '&':
          return 'string';
        default:
          return 'boolean';
      }
    }
    case 'call': {
      node.args.forEach((arg) => inferTypes(arg, fields));
      const fn = FUNCTIONS[node.name as FunctionName];
      fn.validate?.(node.args, node);
      return fn.returns(node.args);
    }
  }
}

/** `+` concatenates when either side is text or an array. */
export const isTextual = (t: ValueType) => t === 'string' || t === 'array';
