import { CellError, defineFieldType } from '../field-type.js';
import { requireAbsent } from '../shared/property.js';

export interface WorkDocItem {
  documentId: string;
  title: string;
}

const docs = (stored: unknown): WorkDocItem[] | undefined =>
  Array.isArray(stored) && stored.length ? (stored as WorkDocItem[]) : undefined;

// Documents are created in the UI; the API may only clear the cell (§8.3).
export const workDocField = defineFieldType<Record<string, never>>({
  type: 'WorkDoc',
  cellKind: 'array',
  sqlValueKey: 'title',
  multiple: true,
  writable: true,
  primaryCapable: false,
  property: {
    parse: (input) => requireAbsent('WorkDoc', input),
    toApi: () => undefined,
  },
  write: (value) => {
    if (value === null) return { value: null };
    throw new CellError("WorkDoc field can't be edited");
  },
  // The cells name documents: converting them would drop what they hold (refused).
  convertibleOut: false,
  read: {
    json: (stored) => docs(stored)?.map((d) => ({ documentId: d.documentId, title: d.title })),
    string: (stored) =>
      docs(stored)
        ?.map((d) => d.title)
        .join(', ') ?? null,
  },
});
