import type { MagicLookUpProperty } from '../fields/types/magic-lookup.field.js';
import { formatNumber } from '../fields/shared/number-format.js';
import { decAdd, decDiv, decFromNumber, decToNumber, ZERO } from '../formula/decimal.js';
import { numberText, parseNumberText } from '../formula/values.js';
import type { CellFormat } from './read-cells.js';

/** The record ids a link cell holds, in its order. */
export const linkedIdsOf = (cells: Record<string, unknown>, linkFieldId: string): string[] => {
  const cell = cells[linkFieldId];
  return Array.isArray(cell) ? cell.filter((id): id is string => typeof id === 'string') : [];
};

/**
 * MagicLookUp cells (aitable-fusion-api.md §8.2, §8.4) from the linked records a read kept and rendered: per row, the
 * records its link cell points to (in the cell's order, or in `linked`'s order when the lookup sorts; only the first
 * with lookUpLimit FIRST), their target values flattened with empties removed, then the roll-up. With cellFormat=string
 * each value is the target field's own text, joined by ", ". Returns the cell per row id (absent when empty).
 */
export function lookupCells(
  p: MagicLookUpProperty,
  rows: readonly { id: string; cells: Record<string, unknown> }[],
  linkFieldId: string,
  linked: readonly { id: string; json: unknown; text: string | null }[],
  options: { sorted: boolean; cellFormat: CellFormat },
): Map<string, unknown> {
  const result = new Map<string, unknown>();
  const rank = new Map(linked.map((r, i) => [r.id, i]));
  const values = new Map(linked.map((r) => [r.id, r]));
  for (const row of rows) {
    let kept = linkedIdsOf(row.cells, linkFieldId).filter((id) => rank.has(id));
    if (options.sorted) kept = [...new Set(kept)].sort((a, b) => rank.get(a)! - rank.get(b)!);
    if (p.lookUpLimit === 'FIRST') kept = kept.slice(0, 1);
    const listed = kept.map((id) => flat(values.get(id)!.json));
    // COUNTALL counts every kept record's values, an empty cell as one.
    const all = listed.reduce((n, list) => n + Math.max(1, list.length), 0);
    const value = rollUp(p, listed.flat(), all);
    if (value === undefined) continue;
    if (options.cellFormat === 'json') result.set(row.id, value);
    else {
      const text =
        p.rollupFunction === 'VALUES'
          ? kept
              .map((id) => values.get(id)!.text)
              .filter((t) => t !== null && t !== '')
              .join(', ')
          : scalarText(value, p);
      if (text) result.set(row.id, text);
    }
  }
  return result;
}

const flat = (value: unknown): unknown[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? value.flat(Infinity) : [value];

/**
 * The roll-up of the kept values (the reference applies its formula functions to the typed list, so numbers stay
 * numbers): VALUES is the list itself; sums and averages in exact decimals as the formula engine adds. Empty lists
 * give no cell, except the sums and counts of nothing, which are 0.
 */
function rollUp(p: MagicLookUpProperty, values: unknown[], all: number): unknown {
  const numbers = values.flatMap((v) =>
    typeof v === 'number' && Number.isFinite(v) ? [v] : typeof v === 'string' ? (parseNumberText(v) ?? []) : [],
  );
  const texts = () =>
    values.map((v) =>
      typeof v === 'object' && v !== null ? (textOf(v) ?? '') : typeof v === 'number' ? numberText(v) : String(v),
    );
  const truthy = values.filter((v) => v !== false && v !== 0 && v !== '').length;
  const sum = () => numbers.reduce((acc, n) => decAdd(acc, decFromNumber(n)), ZERO);
  switch (p.rollupFunction) {
    case 'VALUES':
      return values.length ? values : undefined;
    case 'SUM':
      return decToNumber(sum());
    case 'AVERAGE':
      return numbers.length ? decToNumber(decDiv(sum(), decFromNumber(numbers.length))) : 0;
    case 'COUNT':
      return values.filter((v) => typeof v === 'number').length;
    case 'COUNTA':
      return values.filter((v) => v !== '').length;
    case 'COUNTALL':
      return all;
    case 'MIN':
      return numbers.length ? Math.min(...numbers) : undefined;
    case 'MAX':
      return numbers.length ? Math.max(...numbers) : undefined;
    case 'AND':
      return values.length > 0 && truthy === values.length;
    case 'OR':
      return truthy > 0;
    case 'XOR':
      return truthy % 2 === 1;
    case 'CONCATENATE':
      return texts().join('') || undefined;
    case 'ARRAYJOIN':
      return texts().join(', ') || undefined;
    case 'ARRAYUNIQUE': {
      const seen = new Set<string>();
      const unique = values.filter((v) => {
        const key = JSON.stringify(v);
        return seen.has(key) ? false : (seen.add(key), true);
      });
      return unique.length ? unique : undefined;
    }
    case 'ARRAYCOMPACT': {
      const compact = values.filter((v) => v !== '' && v !== null && v !== undefined);
      return compact.length ? compact : undefined;
    }
  }
}

/** Objects (members, attachments, links, urls) enter a roll-up by their name, title or text. */
function textOf(value: object): string | null {
  const o = value as Record<string, unknown>;
  for (const key of ['name', 'title', 'text']) if (typeof o[key] === 'string') return o[key] as string;
  return null;
}

function scalarText(value: unknown, p: MagicLookUpProperty): string {
  if (typeof value === 'number') {
    const f = p.formatting;
    return f?.precision !== undefined || f?.symbol
      ? formatNumber(value, { precision: f.precision ?? 0, ...(f.symbol ? { symbol: f.symbol } : {}) })
      : numberText(value);
  }
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'number' ? numberText(v) : String(v))).join(', ');
  return String(value);
}
