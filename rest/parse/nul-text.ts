import { MalformedRequest } from '../errors.js';
import { queryEntries } from './query-arrays.js';

/**
 * U+0000 in any text a request sends: PostgreSQL's text and jsonb cannot hold it, so no legal value contains
 * it, and it must be refused naming where it is rather than fail in the database. Only requests whose raw
 * form may hold one (`%00` in the query string, a `\u0000` escape or a zero byte in the body) are searched.
 */
const nulIn = (name: string) =>
  new MalformedRequest(
    name.replace(/\0/g, ''),
    `Invalid value for ${name.replace(/\0/g, '')}: it contains a NUL character`,
  );

/** The first query parameter holding a NUL, refused by its name. */
export function nulInQuery(url: string): MalformedRequest | undefined {
  const question = url.indexOf('?');
  if (question < 0 || !url.includes('%00', question)) return undefined;
  const found = queryEntries(url).find(([key, value]) => key.includes('\0') || value.includes('\0'));
  return found ? nulIn(found[0]) : undefined;
}

/** Whether a raw JSON body may hold a NUL once parsed (an escape, or a UTF-16/32 body, whose bytes include zeros). */
export const mayHoldNul = (raw: Buffer) => raw.includes('\\u0000') || raw.includes(0);

/** The first member of a parsed JSON body holding a NUL, refused by its path (`records[0].fields.Title`). */
export function nulInBody(body: unknown): MalformedRequest | undefined {
  const path = nulPath(body, '');
  return path === undefined ? undefined : nulIn(path || 'body');
}

function nulPath(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\0') ? path : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = nulPath(item, `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    const here = path ? `${path}.${key}` : key;
    if (key.includes('\0')) return here;
    const found = nulPath(item, here);
    if (found !== undefined) return found;
  }
  return undefined;
}
