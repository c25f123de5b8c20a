import { CellError, type CellWrite } from '../field-type.js';

/** String-or-null cells (SingleText, Text, Email, Phone, Cascader) share one write rule with their own message. */
export function writeString(value: unknown, message: string): CellWrite {
  if (value === null) return { value: null };
  if (typeof value !== 'string') throw new CellError(message);
  return { value: value === '' ? null : value };
}

export const readString = (stored: unknown): string | undefined =>
  typeof stored === 'string' && stored !== '' ? stored : undefined;
