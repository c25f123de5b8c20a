import type { CallNode, FormulaAst, FormulaNode, FormulaValue, ValueType } from './ast.js';
import type { ZoneSpec } from './dates.js';
import type { FormulaRecord } from './field-values.js';
import type { FieldDef } from '../fields/field-type.js';

/** The shape of a formula function and what its `evaluate` gets (the table of them is function-registry.ts). */
export type FunctionCategory = 'numeric' | 'text' | 'logical' | 'date-time' | 'array' | 'record';

export interface EvalEnv {
  fields: ReadonlyMap<string, FieldDef>;
  zone: ZoneSpec;
  /** ctx.now in epoch ms (TODAY, NOW, TONOW, …). */
  now: number;
  record: FormulaRecord;
  /** Formula fields' parsed expressions: a reference to one evaluates it (null: it has an error). */
  formulas?: ReadonlyMap<string, FormulaAst | null> | undefined;
}

/** What a function's `evaluate` gets: lazy access to its arguments (IF/SWITCH/ISERROR evaluate only what they need). */
export interface Call {
  node: CallNode;
  args: readonly FormulaNode[];
  env: EvalEnv;
  /** The argument's value; a runtime error in it propagates. */
  value(i: number): FormulaValue;
  /** True when evaluating the argument fails. */
  isError(i: number): boolean;
  /** The argument as text (blank → ""; datetime field references in their field's format). */
  text(i: number): string;
  /** The argument as a number (blank → 0). */
  number(i: number): number;
  truthy(i: number): boolean;
  /** The argument as a date (epoch ms); blank is an error. */
  date(i: number): number;
  /** The zone date functions use for the argument (a SET_TIMEZONE around it, else ctx.timeZone). */
  zone(i: number): ZoneSpec;
}

export interface FormulaFunction {
  name: string;
  category: FunctionCategory;
  /** Too few arguments is a parse error (`NAME function requires N parameters`); arguments past `max` are ignored. */
  params: { min: number; max?: number };
  /** Result type from the (typed) argument nodes. */
  returns(args: readonly FormulaNode[]): ValueType;
  /** Parse-time checks beyond the count (literal units, formats); throws FormulaError. */
  validate?(args: readonly FormulaNode[], node: CallNode): void;
  evaluate(call: Call): FormulaValue;
}
