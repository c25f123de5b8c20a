import type { ConvertContext, FieldTypeModule, SourceCell } from '../field-type.js';
import { isFiniteNumber } from './number-format.js';

/**
 * How the field type modules read a cell of another type when a field's type changes (their `convert.from`):
 * through the old type's own renderings (json and `cellFormat=string`), so no module knows another's storage.
 */

/** The cell's text (its `cellFormat=string` rendering), trimmed; null when empty. */
export function textOf(cell: SourceCell): string | null {
  const text = cell.text?.trim();
  return text ? text : null;
}

/**
 * A number written as text: `1234.5`, `1,234.50`, `$ 12`, `-3e2`, `50%` (read as 0.5). Symbols may stand before or
 * after the number, words may not (`12 kg` is not a number). `percent` tells a `%` was written.
 */
export function parseNumberText(text: string): { value: number; percent: boolean } | undefined {
  const m = /^([^\p{L}\p{N}+\-.]*)([+-]?(?:\d[\d,]*)?(?:\.\d+)?(?:e[+-]?\d+)?)([^\p{L}\p{N}]*)$/iu.exec(
    text.trim().replace(/\s+/g, ''),
  );
  if (!m || !/\d/.test(m[2]!)) return undefined;
  const n = Number(m[2]!.replace(/,/g, ''));
  if (!Number.isFinite(n)) return undefined;
  const percent = m[3] === '%' || m[1] === '%';
  return { value: percent ? n / 100 : n, percent };
}

/** The cell as a number: numbers kept, a checked box is 1, text parsed (`parseNumberText`); undefined otherwise. */
export function numberOf(cell: SourceCell): number | undefined {
  if (isFiniteNumber(cell.json)) return cell.json;
  if (cell.json === true) return 1;
  const text = textOf(cell);
  return text === null ? undefined : parseNumberText(text)?.value;
}

/** Words read as a checked box (case-insensitive), as spreadsheets write booleans. */
const TRUTHY = new Set(['true', 'yes', 'y', '1', 'checked', 'on', 'x', '✓', '✔', '✔️', '✅', '☑', '☑️', '是']);

export function isTruthy(cell: SourceCell): boolean {
  if (typeof cell.json === 'boolean') return cell.json;
  if (isFiniteNumber(cell.json)) return cell.json !== 0;
  const text = textOf(cell);
  return text !== null && TRUTHY.has(text.toLowerCase());
}

/**
 * Option names a cell becomes: a list of names (a multi-select's) is kept; other cells are their text, split on
 * commas when `split` (into a multi-select), blanks dropped, repeats once.
 */
export function optionNames(cell: SourceCell, split: boolean): string[] {
  const names =
    Array.isArray(cell.json) && cell.json.every((v) => typeof v === 'string')
      ? (cell.json as string[])
      : split
        ? (cell.text ?? '').split(',')
        : [cell.text ?? ''];
  return [...new Set(names.map((n) => n.trim()).filter((n) => n !== ''))];
}

/** The select option ids of names, created in the converted field when missing. */
export const optionIds = (names: readonly string[], ctx: ConvertContext): string[] => [
  ...new Set(names.map((name) => ctx.selectOption(name).id)),
];

/** The old field's `precision`, when it has one, within `max` (a number's decimals carried over to another number type). */
export function precisionOf(property: unknown, max: number): number | undefined {
  const p = (property as { precision?: unknown } | null)?.precision;
  return isFiniteNumber(p) ? Math.min(Math.max(Math.trunc(p), 0), max) : undefined;
}

/** Stored, writable numbers (Number, Currency, Percent, Rating): a number type keeps them as they are. */
export const storesNumbers = (from: FieldTypeModule): boolean =>
  from.cellKind === 'number' && from.writable && !from.computed && !from.numbered;
