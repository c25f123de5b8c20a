import { CellError, type CellWrite } from '../field-type.js';
import { isFiniteNumber } from './number-format.js';

/** Number-or-null cells (Number, Currency, Percent) share one write rule with their own message. */
export function writeNumber(value: unknown, message: string): CellWrite {
  if (value === null) return { value: null };
  if (!isFiniteNumber(value)) throw new CellError(message);
  return { value };
}

export const readNumber = (stored: unknown): number | undefined => (isFiniteNumber(stored) ? stored : undefined);

/** A property's string `defaultValue` as the stored number of a new record (empty or not numeric: no value). */
export function numberDefault(defaultValue: string | undefined): number | null {
  const n = defaultValue === undefined || defaultValue === '' ? NaN : Number(defaultValue);
  return Number.isFinite(n) ? n : null;
}
