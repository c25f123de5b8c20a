import type { Request } from 'express';
import type { RecordQuery } from '../../src/domain/records/query-records.js';
import { invalidArgument } from '../../src/domain/errors.js';
import { storableTextProblem } from '../../src/domain/text.js';
import { listParam, queryEntries, QueryParseError, sortParam } from './query-arrays.js';

/** fieldKey from the query (GET) or body (POST/PATCH), with the reference's message. */
export function fieldKeyOf(value: unknown): 'name' | 'id' {
  if (value === undefined || value === null || value === '') return 'name';
  if (value === 'name' || value === 'id') return value;
  throw invalidArgument('Invalid fieldKey (only supports "id" or "name")', { parameter: 'fieldKey' });
}

function cellFormatOf(value: string | undefined): 'json' | 'string' {
  if (value === undefined || value === '') return 'json';
  if (value === 'json' || value === 'string') return value;
  throw invalidArgument('cellFormat must be "json" or "string"', { parameter: 'cellFormat' });
}

/** An integer query parameter; undefined when absent or empty, code 400 naming it when not an integer. */
export function intParam(
  value: string | undefined,
  parameter: string,
  message = `${parameter} must be an integer`,
): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^-?\d+$/.test(value.trim())) throw invalidArgument(message, { parameter });
  return Number(value);
}

/** GET records parameters in every encoding the official clients use (see query-arrays.ts). */
export function parseRecordQuery(request: Request): RecordQuery & { unlimited: boolean } {
  const entries = queryEntries(request.originalUrl);
  const single = (name: string) => entries.find(([key]) => key === name)?.[1];
  // Values reach SQL as parameters (record ids, formula strings), and PostgreSQL text holds no NUL.
  for (const [key, value] of entries) {
    const parameter = key.replace(/\[.*$/, '');
    const problem = storableTextProblem(value);
    if (problem) throw invalidArgument(`${parameter} ${problem}`, { parameter });
  }
  try {
    const pageSize = intParam(single('pageSize'), 'pageSize');
    const filterByFormula = single('filterByFormula');
    const keyset = keysetOf(entries, pageSize);
    return {
      viewId: single('viewId') || undefined,
      recordIds: listParam(entries, 'recordIds'),
      fields: listParam(entries, 'fields'),
      sort: sortParam(entries),
      fieldKey: fieldKeyOf(single('fieldKey')),
      cellFormat: cellFormatOf(single('cellFormat')),
      filterByFormula: filterByFormula?.trim() ? filterByFormula : undefined,
      maxRecords: intParam(single('maxRecords'), 'maxRecords'),
      pageNum: keyset ? undefined : (intParam(single('pageNum'), 'pageNum') ?? 1),
      ...(keyset ? { after: keyset.after } : {}),
      // -1: every matching row (undocumented in the reference, but its clients rely on it).
      pageSize: pageSize === -1 ? undefined : pageSize,
      unlimited: pageSize === -1,
      withTotal: true,
    };
  } catch (error) {
    if (error instanceof QueryParseError) throw invalidArgument(error.message, { parameter: error.parameter });
    throw error;
  }
}

/**
 * Extension: keyset paging. `cursor` (empty for the first page, else a previous page's `nextCursor`) pages instead
 * of `pageNum`; both together, or with pageSize=-1 (every row at once), are refused naming them.
 */
function keysetOf(
  entries: readonly [string, string][],
  pageSize: number | undefined,
): { after: string | null } | undefined {
  const cursor = entries.find(([key]) => key === 'cursor');
  if (!cursor) return undefined;
  if (entries.some(([key, value]) => key === 'pageNum' && value !== ''))
    throw invalidArgument('cursor and pageNum cannot be used together: page with one of them', {
      parameter: 'cursor',
    });
  if (pageSize === -1)
    throw invalidArgument('cursor and pageSize=-1 cannot be used together: pageSize must be from 1 to 1000', {
      parameter: 'cursor',
    });
  return { after: cursor[1] === '' ? null : cursor[1] };
}
