import { defineFieldType } from '../field-type.js';
import { isFiniteNumber } from '../shared/number-format.js';
import { readNumber } from '../shared/number-cell.js';
import { requireAbsent } from '../shared/property.js';
import { rejectWrite } from '../shared/read-only.js';

const readOnlyMessage = "Autonumber field can't be edited";

// The record service numbers new records (`numbered`); the module only reads the stored number.
export const autoNumberField = defineFieldType<Record<string, never>>({
  type: 'AutoNumber',
  cellKind: 'number',
  multiple: false,
  writable: false,
  primaryCapable: true,
  numbered: true,
  readOnlyMessage,
  property: {
    parse: (input) => requireAbsent('AutoNumber', input),
    toApi: () => undefined,
  },
  write: rejectWrite(readOnlyMessage),
  read: {
    json: (stored) => readNumber(stored),
    string: (stored) => (isFiniteNumber(stored) ? String(stored) : null),
  },
});
