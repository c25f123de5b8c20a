import { describe, expect, it } from 'vitest';
import { compileFormulaCondition, compileFormulaParts } from '../../../src/db/query/compile-formula.js';
import type { FormulaNode } from '../../../src/domain/formula/ast.js';
import { parseFormula } from '../../../src/domain/formula/index.js';
import { FORMULA_LIMITS, FormulaLimitError } from '../../../src/domain/formula/limits.js';
import { FIELDS, NOW, TIME_ZONE } from './fixture.js';

/**
 * Hostile formulas: the parser refuses deep or long input with a FormulaLimitError (never a stack overflow), and the
 * compiled SQL grows linearly with the formula (a node's SQL is never pasted into its parent more than once).
 */
const parse = (text: string) => parseFormula(text, FIELDS);
const compile = (text: string) =>
  compileFormulaCondition(parse(text), { fields: FIELDS, alias: 'r', params: [], timeZone: TIME_ZONE, now: NOW });
const nest = (template: string, depth: number, inner: string) => {
  let text = inner;
  for (let i = 0; i < depth; i++) text = template.replaceAll('X', text);
  return text;
};
const depthOf = (node: FormulaNode): number => {
  switch (node.kind) {
    case 'unary':
      return 1 + depthOf(node.arg);
    case 'binary':
      return 1 + Math.max(depthOf(node.left), depthOf(node.right));
    case 'call':
      return 1 + Math.max(0, ...node.args.map(depthOf));
    default:
      return 1;
  }
};

describe('parser limits', () => {
  it.each([
    ['4,000 parentheses', `${'('.repeat(4000)}1${')'.repeat(4000)}`],
    ['6,000 negations', `${'!'.repeat(6000)}1`],
    ['6,000 unary minus signs', `${'-'.repeat(6000)}1`],
    ['6,000 unclosed parentheses', '('.repeat(6000)],
    ['101 nested calls', nest('LOWER(X)', 101, '{Title}')],
    ['a chain of 101 subtractions', Array(102).fill('{Qty}').join(' - ')],
  ])('refuses %s as nested too deeply', (_, text) => {
    expect(() => parse(text)).toThrow(FormulaLimitError);
    expect(() => parse(text)).toThrow(`nested too deeply (more than ${FORMULA_LIMITS.depth} levels)`);
  });

  it('refuses text longer than the limit before reading it', () => {
    const text = `"${'a'.repeat(FORMULA_LIMITS.length)}"`;
    expect(() => parse(text)).toThrow(FormulaLimitError);
    expect(() => parse(text)).toThrow(`The formula is too long (more than ${FORMULA_LIMITS.length} characters)`);
    expect(() => parse(`${'('.repeat(6000)}1${')'.repeat(6000)}`)).toThrow(FormulaLimitError);
    expect(() => parse(`"${'a'.repeat(FORMULA_LIMITS.length - 2)}"`)).not.toThrow();
  });

  it('accepts nesting up to the limit', () => {
    expect(depthOf(parse(nest('LOWER(X)', FORMULA_LIMITS.depth - 1, '{Title}')).root)).toBe(FORMULA_LIMITS.depth);
  });

  it('parses long chains of && || & as balanced trees, operands in order', () => {
    const terms = Array.from({ length: 800 }, (_, i) => `Qty=${i}`);
    const ast = parse(terms.join(' || '));
    expect(depthOf(ast.root)).toBeLessThanOrEqual(12);
    const literals: number[] = [];
    const walk = (node: FormulaNode): void => {
      if (node.kind === 'number') literals.push(node.value);
      if (node.kind === 'binary') walk(node.left), walk(node.right);
    };
    walk(ast.root);
    expect(literals).toEqual(terms.map((_, i) => i));
    expect(depthOf(parse(Array(1200).fill('{Title}').join('&')).root)).toBeLessThanOrEqual(12);
  });
});

describe('compiled size is linear in the formula', () => {
  it.each([
    ['LOWER', 'LOWER(X)'],
    ['UPPER and TRIM', 'UPPER(TRIM(X))'],
    ['FIND', 'FIND("a", X)'],
    ['SEARCH', 'SEARCH("a", X & "")'],
    ['LEFT', 'LEFT(X, 3)'],
    ['IF', 'IF(X = "", "-", "+")'],
    ['SUBSTITUTE', 'SUBSTITUTE(X, "a", "b")'],
  ])('%s nested 20 deep compiles to under 60× the text', (_, template) => {
    const text = nest(template, 20, '{Title}');
    expect(compile(text).length).toBeLessThan(60 * text.length);
  });

  it.each([
    ['unary minus', (n: number) => `${'-'.repeat(n)}{Qty}`],
    ['ROUND', (n: number) => nest('ROUND(X, 1)', n, '{Price}')],
    ['DATEADD', (n: number) => nest('DATEADD(X, 1, "days")', n, '{Due Date}')],
    ['DATETIME_FORMAT', (n: number) => nest('DATETIME_FORMAT(X, "YYYY")', n, '{Due Date}')],
    ['SWITCH', (n: number) => nest('SWITCH(X, "a", "b", "c")', n, '{Title}')],
  ])('%s: twice as deep compiles to about twice the size, however deep', (_, build) => {
    const sizes = [12, 24, 48].map((n) => compile(build(n)).length);
    expect(sizes[1]! / sizes[0]!).toBeLessThan(2.3);
    expect(sizes[2]! / sizes[1]!).toBeLessThan(2.3);
  });

  it('binds a repeated argument once, as a column of a derived table', () => {
    const reads = (depth: number) => compile(nest('LOWER(X)', depth, '{Title}')).match(/fldTitle/g)!.length;
    expect(reads(16)).toBe(reads(2));
    expect(compile(nest('LOWER(X)', 16, '{Title}'))).toMatch(
      /^\(SELECT .* FROM \(SELECT \*, .* AS s\d+ FROM \(SELECT .* AS s\d+ OFFSET 0\) AS q\d+/,
    );
  });

  it('keeps short formulas as plain expressions (no derived table)', () => {
    for (const text of [
      'AND({Status} = "Done", {Qty} > 1000)',
      'FIND("a", {Title}) > 0',
      'LOWER({Title})',
      '{Title} = "a" || {Qty} < 2',
    ]) {
      expect(compile(text)).not.toMatch(/OFFSET 0/);
    }
  });

  it('refuses a formula whose SQL would pass the limit, while compiling', () => {
    const text = Array(40).fill('DATETIME_DIFF({Title}, {Notes}, {Title}) > 1').join(' || ');
    expect(text.length).toBeLessThan(FORMULA_LIMITS.length);
    expect(() => compile(text)).toThrow(
      new FormulaLimitError('The formula is too complex to run (its compiled query would be too large)', 0),
    );
  });

  it('resolves the value and the error condition separately, each self-contained', () => {
    const parts = compileFormulaParts(parse(nest('LOWER(X)', 16, '{Title}')), {
      fields: FIELDS,
      alias: 'r',
      params: [],
      timeZone: TIME_ZONE,
      now: NOW,
    });
    for (const text of [parts.v, parts.e]) expect(text).not.toMatch(/\u0002/);
  });
});
