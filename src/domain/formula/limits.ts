import { FormulaError } from './errors.js';

/**
 * Limits on a formula (filterByFormula, a Formula field's expression), checked before any work so that no request
 * can make the parser, the compiler or the database do unbounded work. The reference documents none; these are
 * far above any formula a person writes (AITable's own editor keeps formulas to a few hundred characters).
 */
export const FORMULA_LIMITS = {
  /** Characters of formula text. */
  length: 10_000,
  /** Nesting: levels of parentheses, function calls, unary operators and operator chains (the syntax tree's depth). */
  depth: 100,
  /** Characters of compiled SQL for one formula (the compiler's output grows linearly with the formula). */
  compiledSql: 512 * 1024,
} as const;

/** A formula over one of FORMULA_LIMITS: a FormulaError, so it answers 400 wherever a formula is read from input. */
export class FormulaLimitError extends FormulaError {
  override name = 'FormulaLimitError';
}

export const LIMIT_MESSAGES = {
  length: () => `The formula is too long (more than ${FORMULA_LIMITS.length} characters)`,
  depth: () => `The formula is nested too deeply (more than ${FORMULA_LIMITS.depth} levels)`,
  compiledSql: () => 'The formula is too complex to run (its compiled query would be too large)',
};

export function checkFormulaLength(text: string): void {
  if (text.length > FORMULA_LIMITS.length) throw new FormulaLimitError(LIMIT_MESSAGES.length(), FORMULA_LIMITS.length);
}
