import type { Queryable } from '../client.js';
import type { FieldDef } from '../../domain/fields/field-type.js';
import {
  datasheetTag,
  definitionHash,
  isIndexable,
  sortIndexDefinition,
  valueIndexDefinition,
} from './index-manager.js';

/** What one query could use: its first sort key, and the fields its filter compares in an indexable shape. */
export interface QueryIndexWish {
  sort?: { field: FieldDef; desc: boolean } | undefined;
  values: readonly FieldDef[];
}

export interface QueryIndexOptions {
  /** Query indexes one datasheet may have; past it the least recently used one is dropped for a new one. */
  maxPerDatasheet: number;
  /** Queries wanting an index before it is built (a one-off query is not worth one). */
  minUses: number;
  /** An index no query has wanted for this long is dropped (checked every sweep). */
  unusedAfterMs: number;
  now?: () => number;
}

export const DEFAULT_QUERY_INDEX_OPTIONS: QueryIndexOptions = {
  maxPerDatasheet: 6,
  minUses: 3,
  unusedAfterMs: 7 * 24 * 3600_000,
};

interface Entry {
  definition: string;
  uses: number;
  lastUsed: number;
  state: 'wanted' | 'queued' | 'built' | 'failed';
}

export interface QueryIndexer {
  /** Counts a query's wish (cheap, synchronous); indexes are built in the background. */
  observe(datasheetId: string, wish: QueryIndexWish): void;
  /** Drops query indexes not wanted for `unusedAfterMs`; answers their names. */
  sweep(): Promise<string[]>;
  /** Resolves when no index is being built or dropped. */
  idle(): Promise<void>;
  stop(): void;
}

/**
 * Expression indexes that follow the queries actually made (filterByFormula shapes and user sorts), beside the ones
 * that follow views (index-manager.ts). Each definition is the exact text of an rx_ view index of the same shape, so
 * the planner matches it to the engine's SQL; it is named `qx_<datasheet>_<definition>`, built CONCURRENTLY (one
 * at a time for the whole process) once `minUses` queries wanted it, at most `maxPerDatasheet` per datasheet, and
 * dropped when no query has wanted it for `unusedAfterMs` (indexes found at start count as just used).
 */
export function startQueryIndexing(
  q: Queryable,
  options: QueryIndexOptions = DEFAULT_QUERY_INDEX_OPTIONS,
  onError: (error: unknown) => void = () => {},
): QueryIndexer {
  const now = options.now ?? Date.now;
  const datasheets = new Map<string, { tag: string; entries: Map<string, Entry>; loaded: boolean }>();
  const names = new Map<string, string>();
  let queue: Promise<void> = Promise.resolve();
  let pending = 0;
  let stopped = false;
  const enqueue = (task: () => Promise<void>) => {
    pending++;
    queue = queue
      .then(() => (stopped ? undefined : task()))
      .catch(onError)
      .finally(() => pending--);
  };
  const nameOf = (tag: string, definition: string) => {
    const key = `${tag}\u0000${definition}`;
    let name = names.get(key);
    if (!name) {
      if (names.size >= 10_000) names.clear();
      name = `qx_${tag}_${definitionHash(definition)}`;
      names.set(key, name);
    }
    return name;
  };

  /** The datasheet's existing indexes (a restart keeps them; a view index of the same definition serves too). */
  async function load(datasheetId: string): Promise<void> {
    const ds = datasheets.get(datasheetId)!;
    if (ds.loaded) return;
    ds.loaded = true;
    const rows = await q.query<{ indexname: string }>(
      `SELECT indexname FROM pg_indexes WHERE tablename = 'records' AND (indexname LIKE $1 OR indexname LIKE $2)`,
      [`qx_${ds.tag}_%`, `rx_${ds.tag}_%`],
    );
    for (const { indexname } of rows) {
      const name = `qx_${indexname.slice(3)}`;
      const entry = ds.entries.get(name);
      if (entry) entry.state = 'built';
      else if (indexname.startsWith('qx_'))
        ds.entries.set(name, { definition: '', uses: 0, lastUsed: now(), state: 'built' });
    }
  }

  async function build(datasheetId: string, name: string): Promise<void> {
    const ds = datasheets.get(datasheetId)!;
    await load(datasheetId);
    const entry = ds.entries.get(name)!;
    if (entry.state === 'built') return;
    const built = [...ds.entries].filter(([n, e]) => e.state === 'built' && n !== name);
    if (built.length >= options.maxPerDatasheet) {
      const [oldest] = built.sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0]!;
      await drop(ds.entries, oldest);
    }
    try {
      await q.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${name} ON records (${entry.definition})`);
      // Expression indexes bring statistics of their own: without them the planner guesses their selectivity.
      await q.query('ANALYZE records');
      entry.state = 'built';
    } catch (error) {
      // A failed concurrent build leaves an invalid index behind.
      entry.state = 'failed';
      await q.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`).catch(() => {});
      throw error;
    }
  }

  async function drop(entries: Map<string, Entry>, name: string): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
    entries.delete(name);
  }

  return {
    observe(datasheetId, wish) {
      if (stopped) return;
      const definitions: string[] = [];
      if (wish.sort && isIndexable(wish.sort.field))
        definitions.push(sortIndexDefinition(wish.sort.field, wish.sort.desc));
      for (const field of wish.values) if (isIndexable(field)) definitions.push(valueIndexDefinition(field));
      if (definitions.length === 0) return;
      let ds = datasheets.get(datasheetId);
      if (!ds)
        datasheets.set(datasheetId, (ds = { tag: datasheetTag(datasheetId), entries: new Map(), loaded: false }));
      for (const definition of definitions) {
        const name = nameOf(ds.tag, definition);
        let entry = ds.entries.get(name);
        if (!entry) ds.entries.set(name, (entry = { definition, uses: 0, lastUsed: 0, state: 'wanted' }));
        if (!entry.definition) entry.definition = definition;
        entry.uses++;
        entry.lastUsed = now();
        if (entry.state === 'wanted' && entry.uses >= options.minUses) {
          entry.state = 'queued';
          enqueue(() => build(datasheetId, name));
        }
      }
    },
    async sweep() {
      const dropped: string[] = [];
      const cutoff = now() - options.unusedAfterMs;
      for (const ds of datasheets.values()) {
        for (const [name, entry] of ds.entries) {
          if (entry.state === 'built' && entry.lastUsed < cutoff) {
            await drop(ds.entries, name);
            dropped.push(name);
          } else if (entry.state === 'wanted' && entry.lastUsed < cutoff) ds.entries.delete(name);
        }
      }
      return dropped;
    },
    async idle() {
      while (pending > 0) await queue;
    },
    stop() {
      stopped = true;
    },
  };
}
