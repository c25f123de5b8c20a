import { CellError } from '../field-type.js';

/** `write` of the computed types: any value, even null, is refused with the type's message (§8.3). */
export const rejectWrite = (message: string) => (): never => {
  throw new CellError(message);
};
