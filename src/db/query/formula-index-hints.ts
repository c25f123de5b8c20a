import type { FieldDef } from '../../domain/fields/field-type.js';
import { fieldTypeOf } from '../../domain/fields/registry.js';
import type { FormulaAst, FormulaNode } from '../../domain/formula/ast.js';
import { parseDateText } from '../../domain/formula/dates.js';
import { zoneSpec } from '../../domain/formula/evaluate.js';
import { fieldShape, selectOptions } from '../../domain/formula/field-values.js';
import { cellExpr } from './cell-expr.js';
import type { SqlParams as Params } from './sql-params.js';

/** Where a hint binds its literals (a statement's SqlParams). */
type SqlParams = Pick<Params, 'add'>;

/**
 * Index hints for filterByFormula: the compiled condition (compile-formula.ts) follows the evaluator exactly, which
 * takes NULL handling, error terms and decimal conversions that no index can serve. For the common shapes, a field
 * compared with a literal (`{Qty} > 500`, `{Status} = "done"`, `{Title} = "x"`, `{Due} >= "2024-01-01"`, a bare
 * checkbox) combined with AND/OR, this derives a second condition over the very expressions the index manager
 * indexes (cellExpr's `value`): it holds for every row the exact condition keeps (never fewer rows), so
 * `exact AND hint` selects exactly the same rows, and the planner can answer the hint from an expression index.
 */
export interface IndexHint {
  /** The hint's SQL over alias `r`, binding its literals to `params`. */
  sql(params: SqlParams): string;
  /** The fields whose value the hint compares (each worth an index on `(datasheet_id, value)`). */
  fields: FieldDef[];
}

type Op = '=' | '>' | '>=' | '<' | '<=';
const FLIP: Record<Op, Op> = { '=': '=', '>': '<', '>=': '<=', '<': '>', '<=': '>=' };
const COMPARISONS = new Set<string>(Object.keys(FLIP));

/** A hint for the formula, or undefined when no part of it can use an index. */
export function formulaIndexHint(
  ast: FormulaAst,
  fields: readonly FieldDef[],
  timeZone: string,
): IndexHint | undefined {
  const byId = new Map(fields.map((f) => [f.id, f]));
  return hintOf(ast.root, byId, timeZone);
}

function hintOf(node: FormulaNode, fields: Map<string, FieldDef>, timeZone: string): IndexHint | undefined {
  const both = (op: 'AND' | 'OR', nodes: FormulaNode[]): IndexHint | undefined => {
    const hints = nodes.map((n) => hintOf(n, fields, timeZone));
    // AND: any part's hint is implied by the whole; OR: only when every branch has one.
    const kept = op === 'AND' ? hints.filter((h) => h !== undefined) : hints;
    if (kept.length === 0 || kept.some((h) => h === undefined)) return undefined;
    const parts = kept as IndexHint[];
    if (parts.length === 1) return parts[0];
    return {
      sql: (params) => `(${parts.map((h) => h.sql(params)).join(` ${op} `)})`,
      fields: [...new Set(parts.flatMap((h) => h.fields))],
    };
  };
  switch (node.kind) {
    case 'binary':
      if (node.op === '&&') return both('AND', [node.left, node.right]);
      if (node.op === '||') return both('OR', [node.left, node.right]);
      if (!COMPARISONS.has(node.op)) return undefined;
      if (node.left.kind === 'field') return comparison(fields, node.left, node.op as Op, node.right, timeZone);
      if (node.right.kind === 'field') return comparison(fields, node.right, FLIP[node.op as Op], node.left, timeZone);
      return undefined;
    case 'call':
      if ((node.name === 'AND' || node.name === 'OR') && node.args.length > 0 && node.args[0]!.type !== 'array')
        return both(node.name, node.args);
      return undefined;
    case 'field': {
      // A bare checkbox: truthy exactly when checked.
      const field = indexable(fields, node.fieldId);
      if (!field || fieldShape(field).kind !== 'boolean') return undefined;
      const value = storedValue(field);
      return { sql: () => value, fields: [field] };
    }
    default:
      return undefined;
  }
}

/** A stored (not computed) field whose value cellExpr reads from the row. */
function indexable(fields: Map<string, FieldDef>, id: string): FieldDef | undefined {
  const field = fields.get(id);
  return field && fieldTypeOf(field.type).computed === undefined ? field : undefined;
}

const storedValue = (field: FieldDef) => cellExpr(field, fieldTypeOf(field.type), 'r').value;

function comparison(
  fields: Map<string, FieldDef>,
  ref: FormulaNode & { kind: 'field' },
  op: Op,
  literal: FormulaNode,
  timeZone: string,
): IndexHint | undefined {
  const field = indexable(fields, ref.fieldId);
  if (!field) return undefined;
  const shape = fieldShape(field);
  const x = storedValue(field);
  const hint = (sql: (params: SqlParams) => string): IndexHint => ({ sql, fields: [field] });
  switch (shape.kind) {
    case 'number':
      // Compared as doubles (compareSql): an empty cell is NULL, false under every operator.
      if (literal.kind !== 'number' || !Number.isFinite(literal.value)) return undefined;
      return hint((p) => `${x} ${op} ${p.add(literal.value, 'float8')}`);
    case 'datetime': {
      // The formula reads floor(value); a text literal is parsed in the request's zone, as the evaluator does.
      let n: number;
      if (literal.kind === 'number') n = literal.value;
      else if (literal.kind === 'string') {
        try {
          n = parseDateText(literal.value, zoneSpec(timeZone));
        } catch {
          return undefined;
        }
      } else return undefined;
      if (!Number.isFinite(n)) return undefined;
      // floor(v) > n ⇒ v > n; floor(v) >= n ⇒ v >= n; floor(v) < n ⇒ v < ceil(n); floor(v) <= n ⇒ v < floor(n) + 1.
      const bounds: Record<Op, [string, number][]> = {
        '>': [['>', n]],
        '>=': [['>=', n]],
        '<': [['<', Math.ceil(n)]],
        '<=': [['<', Math.floor(n) + 1]],
        '=': [
          ['>=', n],
          ['<', Math.floor(n) + 1],
        ],
      };
      return hint((p) => bounds[op].map(([o, b]) => `${x} ${o} ${p.add(b, 'float8')}`).join(' AND '));
    }
    case 'text':
      // Equality with a non-empty literal holds only for that exact string (compared byte-wise, COLLATE "C").
      if (shape.key || op !== '=' || literal.kind !== 'string' || literal.value === '') return undefined;
      return hint((p) => `${x} = ${p.add(literal.value, 'text')}`);
    case 'select': {
      if (op !== '=' || literal.kind !== 'string' || literal.value === '') return undefined;
      const ids = selectOptions(field)
        .filter((o) => o.name === literal.value)
        .map((o) => o.id);
      return hint((p) => `${x} = ANY(${p.add(ids, 'text[]')})`);
    }
    default:
      return undefined;
  }
}
