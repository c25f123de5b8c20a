/**
 * The deepest nesting of arrays and objects a JSON request body may have. The deepest legal body (a records
 * write with a view-style filter or an attachment list in a cell, GraphQL variables of the same) nests about
 * ten levels; past this, code that walks a value recursively (validation, NUL checks, input coercion) could
 * run out of stack, so such a body is refused before any of it is walked.
 */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/** Whether JSON text nests arrays and objects deeper than `max` (text inside strings is skipped): one pass, no parsing. */
export function jsonNestsDeeperThan(raw: Uint8Array, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > max) return true;
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) depth--;
  }
  return false;
}

/** The text of a body that is not valid UTF-8 (it would be stored with U+FFFD in place of what the client meant). */
export const NOT_UTF8_MESSAGE = 'The request body is not valid UTF-8';

export const TOO_DEEP_MESSAGE = `The request body is nested too deeply (more than ${MAX_JSON_DEPTH} levels of arrays and objects)`;
