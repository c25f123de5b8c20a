import { compileFormula } from '../../db/query/compile-formula.js';
import { invalidArgument } from '../errors.js';
import { FormulaError } from '../formula/errors.js';
import { parseFormula } from '../formula/parser.js';
import { resolveFormulaFields } from '../formula/formula-fields.js';
import { FormulaLimitError } from '../formula/limits.js';
import { expressionWithFieldIds, formulaFieldIds } from '../formula/references.js';
import type { FieldDef } from '../fields/field-type.js';
import { fieldTypeOf } from '../fields/registry.js';

/**
 * A Formula field's expression must parse against its datasheet's fields, must not name its own field,
 * and must not close a cycle through other Formula fields (A uses B, B uses A). Checked when the field
 * is created or its property changes; the error names what is wrong. Returns the property to store: the
 * expression with its field references as `{fldId}` (so renames keep it working) and its result type.
 */
export function checkFormulaField<P>(field: { id: string; name: string; property: P }, fields: readonly FieldDef[]): P {
  const expression = (field.property as { expression?: unknown }).expression;
  if (typeof expression !== 'string' || expression.trim() === '') return { ...field.property, hasError: true };
  const others = fields.filter((f) => f.id !== field.id);
  const self: FieldDef = {
    id: field.id,
    name: field.name,
    type: 'Formula',
    property: field.property,
    isPrimary: false,
  };
  let refs: string[];
  let canonical: string;
  try {
    const ast = parseFormula(expression, [...others, self], { selfFieldId: field.id });
    refs = formulaFieldIds(ast);
    canonical = expressionWithFieldIds(ast);
  } catch (error) {
    if (error instanceof FormulaError)
      throw invalidArgument(`Invalid value for property.expression: ${error.message}`, {
        parameter: 'property.expression',
        position: error.position,
      });
    throw error;
  }
  const graph = new Map<string, string[]>([[field.id, refs]]);
  for (const other of others) {
    if (fieldTypeOf(other.type).computed !== 'formula') continue;
    const text = (other.property as { expression?: unknown }).expression;
    if (typeof text !== 'string' || text.trim() === '') continue;
    try {
      graph.set(other.id, formulaFieldIds(parseFormula(text, [...others, self])));
    } catch {
      graph.set(other.id, []); // an existing formula that no longer parses references nothing
    }
  }
  const path = cycleFrom(field.id, graph);
  if (path) {
    const nameOf = (id: string) => (id === field.id ? field.name : (fields.find((f) => f.id === id)?.name ?? id));
    throw invalidArgument(`The formula creates a circular reference: ${path.map(nameOf).join(' → ')}`, {
      parameter: 'property.expression',
    });
  }
  const stored = { ...self, property: { ...(field.property as object), expression: canonical } };
  const resolved = resolveFormulaFields([...others, stored]);
  checkCompiledSize(field.id, resolved.fields, resolved.asts);
  return resolved.fields.at(-1)!.property as P;
}

/** The expression, with the formulas it reads, must compile within FORMULA_LIMITS.compiledSql (as every read compiles it). */
function checkCompiledSize(
  id: string,
  fields: FieldDef[],
  asts: ReturnType<typeof resolveFormulaFields>['asts'],
): void {
  const ast = asts.get(id);
  if (!ast) return;
  try {
    compileFormula(ast, { fields, alias: 'r', params: [], timeZone: 'UTC', now: new Date(), formulas: asts });
  } catch (error) {
    if (error instanceof FormulaLimitError)
      throw invalidArgument(`Invalid value for property.expression: ${error.message}`, {
        parameter: 'property.expression',
      });
    throw error;
  }
}

function cycleFrom(start: string, graph: Map<string, string[]>): string[] | undefined {
  const walk = (node: string, path: string[]): string[] | undefined => {
    for (const next of graph.get(node) ?? []) {
      if (next === start) return [...path, next];
      if (path.includes(next) || !graph.has(next)) continue;
      const found = walk(next, [...path, next]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(start, [start]);
}
