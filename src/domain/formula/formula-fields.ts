import type { FieldDef } from '../fields/field-type.js';
import { fieldTypeOf } from '../fields/registry.js';
import type { FormulaAst, ValueType } from './ast.js';
import { parseFormula } from './parser.js';
import { formulaFieldIds } from './references.js';

/** A Formula field's result type as its property states it (aitable-fusion-api.md §8.2). */
export type FormulaValueType = 'String' | 'Number' | 'DateTime' | 'Array' | 'Boolean';

const API_TYPE: Record<ValueType, FormulaValueType> = {
  string: 'String',
  number: 'Number',
  datetime: 'DateTime',
  array: 'Array',
  boolean: 'Boolean',
  null: 'String',
};

/** The parsed expressions of a datasheet's Formula fields; null for one that cannot be computed (hasError). */
export type FormulaAsts = ReadonlyMap<string, FormulaAst | null>;

export interface ResolvedFormulas {
  /** The fields, with every Formula field's `valueType` and `hasError` as its expression now gives them. */
  fields: FieldDef[];
  asts: FormulaAsts;
}

interface FormulaProps {
  expression?: unknown;
  valueType?: unknown;
  hasError?: unknown;
}

/**
 * Parses every Formula field of a datasheet against the others and settles each one's result type. A formula's
 * type depends on the types of the formulas it reads, so types are propagated until they stop changing (at most
 * one pass per formula, since references form no cycle). A formula that does not parse (a referenced field was
 * deleted, say), reads itself, or sits on a cycle gets `hasError: true` and no AST: its cells read as empty and
 * a formula reading it fails as a runtime error, in SQL and in the evaluator alike.
 */
export function resolveFormulaFields(input: readonly FieldDef[]): ResolvedFormulas {
  const fields = input.map((f) => f);
  const formulaIndexes = fields.flatMap((f, i) => (fieldTypeOf(f.type).computed === 'formula' ? [i] : []));
  const asts = new Map<string, FormulaAst | null>();
  if (formulaIndexes.length === 0) return { fields, asts };
  for (let pass = 0; pass <= formulaIndexes.length; pass++) {
    let changed = false;
    for (const i of formulaIndexes) {
      const field = fields[i]!;
      const ast = parseExpression(field, fields);
      asts.set(field.id, ast);
      const props = (field.property ?? {}) as FormulaProps;
      const valueType = ast
        ? API_TYPE[ast.root.type]
        : typeof props.valueType === 'string'
          ? props.valueType
          : 'String';
      const hasError = ast === null;
      if (props.valueType !== valueType || props.hasError !== hasError) {
        fields[i] = { ...field, property: { ...props, valueType, hasError } };
        changed = true;
      }
    }
    if (!changed) break;
  }
  for (const id of onCycles(asts)) asts.set(id, null);
  for (const [id, ast] of asts) {
    if (ast !== null) continue;
    const i = fields.findIndex((f) => f.id === id);
    const props = (fields[i]!.property ?? {}) as FormulaProps;
    if (props.hasError !== true) fields[i] = { ...fields[i]!, property: { ...props, hasError: true } };
  }
  return { fields, asts };
}

function parseExpression(field: FieldDef, fields: readonly FieldDef[]): FormulaAst | null {
  const expression = ((field.property ?? {}) as FormulaProps).expression;
  if (typeof expression !== 'string' || expression.trim() === '') return null;
  try {
    return parseFormula(expression, fields, { selfFieldId: field.id });
  } catch {
    return null;
  }
}

/** Formula fields on a reference cycle (field create/update refuses cycles; this guards stored data). */
function onCycles(asts: ReadonlyMap<string, FormulaAst | null>): Set<string> {
  const edges = new Map<string, string[]>();
  for (const [id, ast] of asts) edges.set(id, ast ? formulaFieldIds(ast).filter((ref) => asts.has(ref)) : []);
  const bad = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const visit = (id: string, path: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'open') {
      for (const on of path.slice(path.indexOf(id))) bad.add(on);
      return;
    }
    state.set(id, 'open');
    for (const next of edges.get(id) ?? []) visit(next, [...path, id]);
    state.set(id, 'done');
  };
  for (const id of edges.keys()) visit(id, []);
  return bad;
}
