/**
 * In-process bus of committed changes. The record and datasheet services publish one event per datasheet
 * per committed batch, only after the transaction committed; realtime subscriptions and webhooks subscribe.
 */
export interface CellChange {
  fieldId: string;
  oldValue: unknown;
  newValue: unknown;
}

export interface RecordsChangedEvent {
  type: 'records.changed';
  spaceId: string;
  datasheetId: string;
  /** The datasheet's revision after this batch. */
  revision: number;
  actorId: string | null;
  at: Date;
  created: { recordId: string; fieldIds: string[]; cells: Record<string, unknown> }[];
  updated: { recordId: string; revision: number; changes: CellChange[] }[];
  deleted: { recordId: string; cells: Record<string, unknown> }[];
}

export interface SchemaChangedEvent {
  type: 'schema.changed';
  spaceId: string;
  datasheetId: string;
  revision: number;
  actorId: string | null;
  at: Date;
  change:
    | 'datasheet.created'
    | 'datasheet.updated'
    | 'datasheet.deleted'
    | 'field.created'
    | 'field.updated'
    | 'field.deleted'
    | 'view.changed';
  targetId: string;
}

export type ChangeEvent = RecordsChangedEvent | SchemaChangedEvent;

export type ChangeListener = (event: ChangeEvent) => void;

export interface ChangeBus {
  publish(events: readonly ChangeEvent[]): void;
  subscribe(listener: ChangeListener): () => void;
}

export function createChangeBus(onListenerError: (error: unknown) => void = () => {}): ChangeBus {
  const listeners = new Set<ChangeListener>();
  return {
    publish(events) {
      for (const event of events) {
        for (const listener of listeners) {
          // A failing subscriber must not break the writer (the write already committed) or other subscribers.
          try {
            listener(event);
          } catch (error) {
            onListenerError(error);
          }
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
