import { invalidArgument } from './errors.js';

/**
 * Text PostgreSQL can keep: `text` and `jsonb` refuse U+0000, and a lone UTF-16 surrogate (half of a pair)
 * is no character at all (jsonb refuses it, a `text` column would silently store U+FFFD). Every name and cell
 * string is judged here before it reaches the database.
 */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const SUSPECT = /[\u0000\ud800-\udfff]/;

/** Why a string cannot be stored, or undefined when it can. */
export function storableTextProblem(value: string): string | undefined {
  // The common case, one scan for a character class: no NUL and no surrogate at all.
  if (!SUSPECT.test(value)) return undefined;
  const found = UNSTORABLE.exec(value);
  if (!found) return undefined;
  return found[0] === '\u0000'
    ? 'must not contain the NUL character (\\u0000)'
    : 'must not contain a lone surrogate (an unpaired \\ud800-\\udfff)';
}

/** A name (datasheet, field, view, option) that can be stored; code 400 naming the parameter otherwise. */
export function checkStorableName(value: string, parameter: string): string {
  const problem = storableTextProblem(value);
  if (problem) throw invalidArgument(`${parameter} ${problem}`, { parameter });
  return value;
}
