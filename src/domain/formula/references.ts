import { walk, type FormulaAst } from './ast.js';

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
