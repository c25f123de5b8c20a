import type { FieldDef } from '../fields/field-type.js';
import type { BinaryOp, FormulaAst, FormulaNode } from './ast.js';
import { FormulaError, MESSAGES } from './errors.js';
import { lookupFunction } from './function-registry.js';
import { inferTypes } from './infer-type.js';
import { tokenize, type Token } from './lexer.js';
import { checkFormulaLength, FORMULA_LIMITS, FormulaLimitError, LIMIT_MESSAGES } from './limits.js';

/**
 * A hand-written Pratt parser. Binding powers follow the reference's precedence table (high → low):
 * `* / %` > `+ -` > `> >= < <=` > `= !=` > `&&` > `||` > `&`; unary `! + -` apply to the operand right after them.
 * Names resolve to field ids here (a name first, then an id), so the tree only holds `{fld…}` references.
 *
 * Depth is bounded (FORMULA_LIMITS.depth): the descent through parentheses, calls and unary operators is counted
 * on the way down, before it can exhaust the stack, and every node's depth is checked as it is built. A chain of
 * one associative operator (`&&`, `||`, `&`: the value and the first error do not depend on grouping) becomes a
 * balanced tree, so `a || b || … || z` of any length stays shallow.
 */
const BINARY: Record<string, number> = {
  '&': 1,
  '||': 2,
  '&&': 3,
  '=': 4,
  '!=': 4,
  '>': 5,
  '>=': 5,
  '<': 5,
  '<=': 5,
  '+': 6,
  '-': 6,
  '*': 7,
  '/': 7,
  '%': 7,
};

const ASSOCIATIVE = new Set<string>(['&&', '||', '&']);

export interface ParseOptions {
  /** The Formula field being defined: referencing it is an error. */
  selfFieldId?: string;
}

class Parser {
  private i = 0;
  /** Parentheses, calls and unary operators entered and not yet left. */
  private nesting = 0;
  private readonly depths = new WeakMap<FormulaNode, number>();
  private readonly byName = new Map<string, FieldDef>();
  private readonly byId = new Map<string, FieldDef>();

  constructor(
    private readonly tokens: Token[],
    fields: readonly FieldDef[],
    private readonly options: ParseOptions,
  ) {
    for (const f of fields) {
      this.byName.set(f.name, f);
      this.byId.set(f.id, f);
    }
  }

  private get token(): Token {
    return this.tokens[this.i]!;
  }

  private advance(): Token {
    return this.tokens[this.i++]!;
  }

  parse(): FormulaNode {
    const node = this.expression(0);
    if (this.token.kind !== 'eof') throw new FormulaError(MESSAGES.unableToParse(this.token.text), this.token.pos);
    return node;
  }

  private expression(minPower: number): FormulaNode {
    let left = this.prefix();
    let chain: { op: BinaryOp; operands: FormulaNode[] } | undefined;
    for (;;) {
      const t = this.token;
      const power = t.kind === 'op' ? BINARY[t.value] : undefined;
      if (power === undefined || power <= minPower) break;
      this.advance();
      if (this.token.kind === 'eof') throw new FormulaError(MESSAGES.wrongEnding(), this.token.pos);
      const right = this.expression(power);
      const op = t.value as BinaryOp;
      if (chain?.op === op) {
        chain.operands.push(right);
        continue;
      }
      if (chain) left = this.balanced(chain.op, chain.operands, 0, chain.operands.length);
      chain = undefined;
      if (ASSOCIATIVE.has(op)) chain = { op, operands: [left, right] };
      else left = this.built({ kind: 'binary', op, left, right, pos: left.pos, type: 'null' }, left, right);
    }
    return chain ? this.balanced(chain.op, chain.operands, 0, chain.operands.length) : left;
  }

  /** `operands[lo] op … op operands[hi - 1]` as a balanced tree, operands kept in order. */
  private balanced(op: BinaryOp, operands: FormulaNode[], lo: number, hi: number): FormulaNode {
    if (hi - lo === 1) return operands[lo]!;
    const mid = (lo + hi + 1) >> 1;
    const left = this.balanced(op, operands, lo, mid);
    const right = this.balanced(op, operands, mid, hi);
    return this.built({ kind: 'binary', op, left, right, pos: left.pos, type: 'null' }, left, right);
  }

  /** Notes the node's depth (one more than its deepest child); a node deeper than the limit is an error. */
  private built<T extends FormulaNode>(node: T, ...children: FormulaNode[]): T {
    let depth = 1;
    for (const child of children) depth = Math.max(depth, (this.depths.get(child) ?? 1) + 1);
    if (depth > FORMULA_LIMITS.depth) throw new FormulaLimitError(LIMIT_MESSAGES.depth(), node.pos);
    this.depths.set(node, depth);
    return node;
  }

  /** Counts one level of descent (checked before descending, so deep input cannot exhaust the stack). */
  private enter(pos: number): void {
    if (++this.nesting > FORMULA_LIMITS.depth) throw new FormulaLimitError(LIMIT_MESSAGES.depth(), pos);
  }

  private prefix(): FormulaNode {
    const t = this.token;
    if (t.kind === 'op' && (t.value === '!' || t.value === '-' || t.value === '+')) {
      this.advance();
      if (this.token.kind === 'eof') throw new FormulaError(MESSAGES.wrongEnding(), this.token.pos);
      this.enter(t.pos);
      const arg = this.prefix();
      this.nesting--;
      return this.built({ kind: 'unary', op: t.value, arg, pos: t.pos, type: 'null' }, arg);
    }
    return this.primary();
  }

  private primary(): FormulaNode {
    const t = this.advance();
    switch (t.kind) {
      case 'number':
        return { kind: 'number', value: Number(t.value), pos: t.pos, type: 'number' };
      case 'string':
        return { kind: 'string', value: t.value, pos: t.pos, type: 'string' };
      case 'field':
        return this.field(t.value, t.pos);
      case 'name':
        if (this.token.kind === 'lparen') return this.call(t);
        return this.field(t.value, t.pos);
      case 'lparen': {
        this.enter(t.pos);
        const inner = this.expression(0);
        this.nesting--;
        if (this.token.kind !== 'rparen') throw new FormulaError(MESSAGES.missingRightParen(), this.token.pos);
        this.advance();
        return inner;
      }
      case 'eof':
        throw new FormulaError(MESSAGES.wrongEnding(), t.pos);
      default:
        throw new FormulaError(MESSAGES.unknownOperator(t.text), t.pos);
    }
  }

  private field(ref: string, pos: number): FormulaNode {
    const field = this.byName.get(ref) ?? this.byId.get(ref);
    if (!field) throw new FormulaError(MESSAGES.invalidName(ref), pos);
    if (this.options.selfFieldId !== undefined && field.id === this.options.selfFieldId) {
      throw new FormulaError(MESSAGES.selfReference(), pos);
    }
    return { kind: 'field', fieldId: field.id, ref, pos, type: 'null' };
  }

  private call(name: Token): FormulaNode {
    const fn = lookupFunction(name.value);
    if (!fn) throw new FormulaError(MESSAGES.undefinedFunction(name.value), name.pos);
    this.advance(); // (
    this.enter(name.pos);
    const args: FormulaNode[] = [];
    if (this.token.kind !== 'rparen') {
      for (;;) {
        if (this.token.kind === 'eof') throw new FormulaError(MESSAGES.missingRightParen(), this.token.pos);
        args.push(this.expression(0));
        if (this.token.kind === 'comma') {
          this.advance();
          continue;
        }
        break;
      }
    }
    if (this.token.kind !== 'rparen') throw new FormulaError(MESSAGES.missingRightParen(), this.token.pos);
    this.advance();
    this.nesting--;
    if (args.length < fn.params.min) throw new FormulaError(MESSAGES.paramCount(fn.name, fn.params.min), name.pos);
    const used = fn.params.max !== undefined ? args.slice(0, fn.params.max) : args;
    return this.built({ kind: 'call', name: fn.name, args: used, pos: name.pos, type: 'null' }, ...used);
  }
}

/**
 * Parses a formula (filterByFormula or a Formula field's expression): resolves `{Field Name}`, bare names and
 * `{fld…}` ids against `fields`, checks function names and argument counts, and infers each node's value type.
 * Throws FormulaError with the reference's message and the offending offset (FormulaLimitError past FORMULA_LIMITS).
 */
export function parseFormula(text: string, fields: readonly FieldDef[], options: ParseOptions = {}): FormulaAst {
  checkFormulaLength(text);
  if (!text.trim()) throw new FormulaError(MESSAGES.empty(), 0);
  const root = new Parser(tokenize(text), fields, options).parse();
  inferTypes(root, new Map(fields.map((f) => [f.id, f])));
  return { text, root };
}
