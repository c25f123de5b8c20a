/**
 * Errors of the formula language (aitable-fusion-api.md §6).
 *
 * - `FormulaError`: the text cannot be parsed (lexer, parser, name resolution, argument counts). It carries the
 *   character offset where the problem was found and the reference's human-readable message (`Strings.*` texts).
 * - `FormulaRuntimeError`: evaluating a row failed (division by zero, an invalid date, `ERROR()`, …). A filter drops
 *   such rows; `evaluateFormula` returns the error object instead of throwing.
 */
export class FormulaError extends Error {
  override name = 'FormulaError';
  constructor(
    message: string,
    /** Offset (UTF-16 index) into the formula text. */
    readonly position: number,
  ) {
    super(message);
  }
}

export class FormulaRuntimeError extends Error {
  override name = 'FormulaRuntimeError';
}

/** The reference's message texts (strings.en-US.json), in one place. */
export const MESSAGES = {
  empty: () => "The formula can't be empty",
  undefinedFunction: (name: string) => `Undefined function: ${name}`,
  invalidName: (name: string) => `Invalid column or function name: ${name}`,
  paramCount: (name: string, count: number) => `${name} function requires ${count} parameters`,
  missingRightParen: () => 'Function needs to end with ")"',
  unableToParse: (value: string) => `Parse character ${value} failed`,
  unknownOperator: (value: string) => `Unknown operational character: ${value}`,
  wrongEnding: () => 'Wrong formula ending',
  selfReference: () => "Can't add the current Formula field in a formula",
  invalidUnit: (name: string, unit: string) => `${name} function does not support the unit "${unit}"`,
  literalRequired: (name: string, what: string) => `${name} function requires ${what}`,
};
