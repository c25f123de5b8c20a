/**
 * The formula language's syntax tree and the value model shared by the evaluator (evaluate.ts, the reference
 * oracle) and the SQL compiler (src/db/query/compile-formula.ts). Both back ends implement exactly the rules below.
 *
 * Value types (inferred per node by infer-type.ts, statically — a node's runtime value always has its type or is blank):
 * - `string`, `number` (finite double), `boolean`, `datetime` (epoch ms, an integer), `array` (non-empty list of
 *   strings), `null` (the type of `BLANK()`: always blank).
 * - Blank (empty cell, `BLANK()`, functions that return nothing) is `null` at runtime; an empty array is blank.
 *
 * Field values (field-values.ts): number-like fields their number; Checkbox a boolean (unchecked = false, never
 * blank); text types their text (URL its `text`); SingleSelect its option name; MultiSelect the option names
 * (array); Member / links / lookups their stored ids, attachments their file names, WorkDoc its titles (arrays);
 * DateTime / CreatedTime / LastModifiedTime epoch ms (created/updated from the record row, truncated to ms);
 * CreatedBy / LastModifiedBy the user id; a Formula field its stored value typed by its `valueType`.
 *
 * Conversions (values.ts):
 * - to text: blank → ""; numbers as JavaScript's `String(n)`; booleans "true"/"false"; arrays joined with ", ";
 *   a datetime *field reference* in its field's date format (as the reference's `cellValueToString`), any other
 *   datetime as an ISO-8601 UTC string (the reference's `toISOString()` for function arguments).
 * - to number (arithmetic): blank → 0, booleans 1/0, datetimes their ms, text parsed strictly as a decimal number
 *   (`""` → 0, anything else non-numeric is a runtime error).
 * - truthiness (`IF`, `AND`, `!`, the filter): non-zero numbers and datetimes, non-empty text and arrays, `true`.
 *
 * Numbers: `+ - * / %`, `SUM`, `AVERAGE`, `ROUND*`, `CEILING`, `FLOOR`, `MOD` compute on the exact decimal values of
 * their operands (the reference's precise `plus/minus/times/divide`: 0.1 + 0.2 = 0.3), then round once to the
 * nearest double. A result of magnitude ≥ 1e308 (or NaN/∞) is a runtime error; below 1e-308 it becomes 0. Division
 * keeps 40 significant digits before rounding (decimal.ts documents the exact algorithm both back ends share).
 *
 * Operators and precedence (the reference's table, high → low; all left-associative): unary `! - +`;
 * `* / %`; `+ -`; `> >= < <=`; `= !=`; `&&`; `||`; `&` (string concatenation binds loosest, as in the reference).
 * - `+` adds when neither operand is text or an array; otherwise it concatenates like `&`.
 * - `&&`, `||` evaluate both operands and give booleans.
 * - Comparisons: a blank or `""` operand is *empty*. `=` is true when both sides are empty, false when only one
 *   is; `!=` is its negation; `< <= > >=` are false when either side is empty. Otherwise the comparison domain is
 *   chosen by the static types: datetime vs text parses the text as a date; number/boolean/datetime vs
 *   number/boolean/datetime (or number vs text) compares numbers (text parsed strictly; unparsable → false);
 *   everything else compares text by Unicode code points (PostgreSQL `COLLATE "C"`).
 *
 * Errors: a runtime error propagates through operators and function arguments, except that `IF`/`SWITCH` only
 * evaluate the branch they take and `ISERROR`/`IS_ERROR` catch it. A filter keeps a row only when the result is
 * truthy and no error occurred.
 */
export type ValueType = 'string' | 'number' | 'boolean' | 'datetime' | 'array' | 'null';

/** A runtime value: datetimes are epoch-ms numbers; arrays are non-empty string lists; blank is null. */
export type FormulaValue = string | number | boolean | string[] | null;

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '&' | '=' | '!=' | '>' | '>=' | '<' | '<=' | '&&' | '||';
export type UnaryOp = '-' | '+' | '!';

interface NodeBase {
  /** Offset of the node's first character in the formula text. */
  pos: number;
  /** Assigned by infer-type.ts (parseFormula runs it). */
  type: ValueType;
}

export interface NumberNode extends NodeBase {
  kind: 'number';
  value: number;
}

export interface StringNode extends NodeBase {
  kind: 'string';
  value: string;
}

export interface FieldNode extends NodeBase {
  kind: 'field';
  fieldId: string;
  /** The reference as written (name or id, without braces). */
  ref: string;
}

export interface CallNode extends NodeBase {
  kind: 'call';
  /** Upper-case registry name. */
  name: string;
  args: FormulaNode[];
}

export interface UnaryNode extends NodeBase {
  kind: 'unary';
  op: UnaryOp;
  arg: FormulaNode;
}

export interface BinaryNode extends NodeBase {
  kind: 'binary';
  op: BinaryOp;
  left: FormulaNode;
  right: FormulaNode;
}

export type FormulaNode = NumberNode | StringNode | FieldNode | CallNode | UnaryNode | BinaryNode;

export interface FormulaAst {
  text: string;
  root: FormulaNode;
}

/** Visits every node, parents first. */
export function walk(node: FormulaNode, visit: (node: FormulaNode) => void): void {
  visit(node);
  if (node.kind === 'call') node.args.forEach((arg) => walk(arg, visit));
  else if (node.kind === 'unary') walk(node.arg, visit);
  else if (node.kind === 'binary') {
    walk(node.left, visit);
    walk(node.right, visit);
  }
}
