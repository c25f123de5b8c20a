import type { FieldDef } from '../fields/field-type.js';
import { fieldTypeOf } from '../fields/registry.js';
import type { CallNode, FormulaAst, FormulaNode, FormulaValue } from './ast.js';
import { compareValues, type CompareOp } from './compare.js';
import { fieldDisplayFormat, formatDate } from './date-format.js';
import { isValidIanaZone, type ZoneSpec } from './dates.js';
import { decAdd, decDiv, decFromNumber, decIsZero, decMod, decMul, decSub, decToNumber } from './decimal.js';
import { FormulaRuntimeError } from './errors.js';
import { readField, type FormulaRecord } from './field-values.js';
import type { FormulaAsts } from './formula-fields.js';
import { FUNCTIONS, type Call, type EvalEnv, type FunctionName } from './function-registry.js';
import { argZone } from './functions/shared.js';
import { plainText, toDate, toNumber, truthy } from './values.js';

/**
 * The in-memory evaluator: the reference oracle for the SQL compiler (both follow the rules in ast.ts).
 * Arguments are evaluated before a function runs (an error in any of them propagates), except in IF, SWITCH,
 * ISERROR and IS_ERROR, which evaluate only what they need.
 */
export interface EvaluateContext {
  fields: readonly FieldDef[];
  /** IANA zone for date functions (and date texts without an offset). */
  timeZone: string;
  now: Date;
  /**
   * The datasheet's Formula fields (formula-fields.ts): a reference to one computes its current value. Without
   * it, a Formula field reads as its stored cell.
   */
  formulas?: FormulaAsts | undefined;
}

const LAZY = new Set(['IF', 'SWITCH', 'ISERROR', 'IS_ERROR']);

export function zoneSpec(timeZone: string): ZoneSpec {
  if (!isValidIanaZone(timeZone)) throw new Error(`invalid time zone: ${timeZone}`);
  return { kind: 'iana', name: timeZone };
}

class Evaluator {
  constructor(private readonly env: EvalEnv) {}

  eval(node: FormulaNode): FormulaValue {
    switch (node.kind) {
      case 'number':
        return node.value;
      case 'string':
        return node.value;
      case 'field': {
        const field = this.env.fields.get(node.fieldId);
        if (!field) return null;
        if (fieldTypeOf(field.type).computed === 'formula' && this.env.formulas) {
          const ast = this.env.formulas.get(field.id);
          if (ast?.root.type === 'null') return null;
          if (!ast || ast.root.type !== node.type) throw new FormulaRuntimeError('#Error!');
          return this.eval(ast.root);
        }
        return readField(field, this.env.record);
      }
      case 'unary': {
        const v = this.eval(node.arg);
        if (node.op === '!') return !truthy(v, node.arg.type);
        const n = toNumber(v, node.arg.type);
        return node.op === '-' ? decToNumber(decSub(decFromNumber(0), decFromNumber(n))) : n;
      }
      case 'binary':
        return this.binary(node.op, node.left, node.right, node.type);
      case 'call':
        return this.call(node);
    }
  }

  /** A node's value as text: datetime field references use their field's display format. */
  text(node: FormulaNode, value: FormulaValue): string {
    if (value !== null && node.type === 'datetime' && node.kind === 'field') {
      const field = this.env.fields.get(node.fieldId)!;
      const p = (field.property ?? {}) as {
        dateFormat?: string;
        timeFormat?: string;
        includeTime?: boolean;
        timeZone?: string;
      };
      const zone: ZoneSpec =
        p.timeZone && isValidIanaZone(p.timeZone) ? { kind: 'iana', name: p.timeZone } : this.env.zone;
      return formatDate(value as number, fieldDisplayFormat(p), zone);
    }
    return plainText(value, node.type);
  }

  private binary(op: string, left: FormulaNode, right: FormulaNode, type: FormulaNode['type']): FormulaValue {
    const a = this.eval(left);
    const b = this.eval(right);
    switch (op) {
      case '&&':
        return truthy(a, left.type) && truthy(b, right.type);
      case '||':
        return truthy(a, left.type) || truthy(b, right.type);
      case '&':
        return this.text(left, a) + this.text(right, b);
      case '+':
        if (type === 'string') return this.text(left, a) + this.text(right, b);
        return arithmetic('+', toNumber(a, left.type), toNumber(b, right.type));
      case '-':
      case '*':
      case '/':
      case '%':
        return arithmetic(op, toNumber(a, left.type), toNumber(b, right.type));
      default:
        return compareValues(op as CompareOp, a, left.type, b, right.type, this.env.zone);
    }
  }

  private call(node: CallNode): FormulaValue {
    const fn = FUNCTIONS[node.name as FunctionName];
    const cache = new Map<number, { ok: true; value: FormulaValue } | { ok: false; error: unknown }>();
    const attempt = (i: number) => {
      let entry = cache.get(i);
      if (!entry) {
        try {
          entry = { ok: true, value: this.eval(node.args[i]!) };
        } catch (error) {
          if (!(error instanceof FormulaRuntimeError)) throw error;
          entry = { ok: false, error };
        }
        cache.set(i, entry);
      }
      return entry;
    };
    const value = (i: number): FormulaValue => {
      const entry = attempt(i);
      if (!entry.ok) throw entry.error;
      return entry.value;
    };
    const env = this.env;
    const call: Call = {
      node,
      args: node.args,
      env,
      value,
      isError: (i) => !attempt(i).ok,
      text: (i) => this.text(node.args[i]!, value(i)),
      number: (i) => toNumber(value(i), node.args[i]!.type),
      truthy: (i) => truthy(value(i), node.args[i]!.type),
      date: (i) => {
        const v = value(i);
        if (v === null) throw new FormulaRuntimeError('Invalid date');
        return toDate(v, node.args[i]!.type, call.zone(i));
      },
      zone: (i) => argZone(node.args[i], env.zone),
    };
    if (!LAZY.has(node.name)) node.args.forEach((_, i) => value(i));
    return fn.evaluate(call);
  }
}

/** `+ - * / %` on exact decimals (decimal.ts), one rounding to a double. */
export function arithmetic(op: '+' | '-' | '*' | '/' | '%', x: number, y: number): number {
  const a = decFromNumber(x);
  const b = decFromNumber(y);
  switch (op) {
    case '+':
      return decToNumber(decAdd(a, b));
    case '-':
      return decToNumber(decSub(a, b));
    case '*':
      return decToNumber(decMul(a, b));
    case '/':
      if (decIsZero(b)) throw new FormulaRuntimeError('NaN');
      return decToNumber(decDiv(a, b));
    case '%':
      if (decIsZero(b)) throw new FormulaRuntimeError('NaN');
      return decToNumber(decMod(a, b));
  }
}

function envOf(record: FormulaRecord, ctx: EvaluateContext): EvalEnv {
  return {
    fields: new Map(ctx.fields.map((f) => [f.id, f])),
    zone: zoneSpec(ctx.timeZone),
    now: ctx.now.getTime(),
    record,
    formulas: ctx.formulas,
  };
}

/**
 * Evaluates a parsed formula for one record. Returns the value (datetimes as epoch ms, arrays as string lists,
 * blank as null), or a FormulaRuntimeError when evaluation fails (it is returned, not thrown).
 */
export function evaluateFormula(
  ast: FormulaAst,
  record: FormulaRecord,
  ctx: EvaluateContext,
): FormulaValue | FormulaRuntimeError {
  try {
    return new Evaluator(envOf(record, ctx)).eval(ast.root);
  } catch (error) {
    if (error instanceof FormulaRuntimeError) return error;
    throw error;
  }
}

/** AITable's filter rule: a row is kept when the result is truthy; a runtime error drops it. */
export function isTruthy(value: unknown): boolean {
  if (value instanceof Error || value === null || value === undefined) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  return Boolean(value);
}

/** Evaluates the formula as a filter condition for one record. */
export function matchesFormula(ast: FormulaAst, record: FormulaRecord, ctx: EvaluateContext): boolean {
  return isTruthy(evaluateFormula(ast, record, ctx));
}
