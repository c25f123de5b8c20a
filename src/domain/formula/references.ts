import { walk, type FormulaAst } from './ast.js';
import { tokenize } from './lexer.js';

/** The ids of the fields a formula reads, in first-use order (for dependency and cycle checks). */
export function formulaFieldIds(ast: FormulaAst): string[] {
  const ids = new Set<string>();
  walk(ast.root, (node) => {
    if (node.kind === 'field') ids.add(node.fieldId);
  });
  return [...ids];
}

/** True when the formula reads the record's time or the clock (its value changes without a cell changing). */
export function formulaUsesClock(ast: FormulaAst): boolean {
  let uses = false;
  walk(ast.root, (node) => {
    if (node.kind === 'call' && ['TODAY', 'NOW', 'TONOW', 'FROMNOW'].includes(node.name)) uses = true;
  });
  return uses;
}

/**
 * The formula's text with every field reference written as `{fldId}` (names, braced or bare, become ids), so a
 * stored expression survives renames, as the reference stores it.
 */
export function expressionWithFieldIds(ast: FormulaAst): string {
  const tokens = new Map(tokenize(ast.text).map((t) => [t.pos, t]));
  const edits: { pos: number; length: number; text: string }[] = [];
  walk(ast.root, (node) => {
    if (node.kind !== 'field') return;
    const token = tokens.get(node.pos);
    if (!token || (token.kind !== 'field' && token.kind !== 'name') || token.text === `{${node.fieldId}}`) return;
    edits.push({ pos: token.pos, length: token.text.length, text: `{${node.fieldId}}` });
  });
  let text = ast.text;
  for (const edit of edits.sort((a, b) => b.pos - a.pos))
    text = text.slice(0, edit.pos) + edit.text + text.slice(edit.pos + edit.length);
  return text;
}
