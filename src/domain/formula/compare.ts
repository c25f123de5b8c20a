import type { FormulaValue, ValueType } from './ast.js';
import { parseDateText, type ZoneSpec } from './dates.js';
import { boolNumber, compareDomain, compareText, isEmptyValue, parseNumberText, plainText } from './values.js';

export type CompareOp = '=' | '!=' | '>' | '>=' | '<' | '<=';

/**
 * `a op b` under the comparison rules of ast.ts: empties (blank, "") are equal only to each other and unordered;
 * the domain (number, date, text) comes from the static types; unconvertible operands make `=` and the orderings
 * false (and `!=` true). The SQL twin is `compareSql` in src/db/query/formula-sql/operators.ts.
 */
export function compareValues(
  op: CompareOp,
  a: FormulaValue,
  ta: ValueType,
  b: FormulaValue,
  tb: ValueType,
  zone: ZoneSpec,
): boolean {
  if (op === '!=') return !compareValues('=', a, ta, b, tb, zone);
  const ea = isEmptyValue(a);
  const eb = isEmptyValue(b);
  if (ea || eb) return op === '=' ? ea && eb : false;
  const domain = compareDomain(ta, tb);
  let c: number;
  if (domain === 'text') c = compareText(plainText(a, ta), plainText(b, tb));
  else {
    const x = domain === 'number' ? asNumber(a, ta) : asDate(a, ta, zone);
    const y = domain === 'number' ? asNumber(b, tb) : asDate(b, tb, zone);
    if (x === undefined || y === undefined) return false;
    c = x < y ? -1 : x > y ? 1 : 0;
  }
  switch (op) {
    case '=':
      return c === 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
  }
}

function asNumber(v: FormulaValue, t: ValueType): number | undefined {
  if (t === 'boolean') return boolNumber(v as boolean);
  if (t === 'number' || t === 'datetime') return v as number;
  return parseNumberText(Array.isArray(v) ? v.join(', ') : String(v));
}

function asDate(v: FormulaValue, t: ValueType, zone: ZoneSpec): number | undefined {
  if (t === 'datetime') return v as number;
  try {
    return parseDateText(Array.isArray(v) ? v.join(', ') : String(v), zone);
  } catch {
    return undefined;
  }
}
