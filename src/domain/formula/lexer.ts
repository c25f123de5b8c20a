import { FormulaError, MESSAGES } from './errors.js';

/**
 * Tokens of the formula language (the reference's `lexer/lexer.ts` grammar):
 * - `{Field name}` / `{fldXXXXXXXXXX}` (inside braces `\{`, `\}`, `\\` — any backslash escape — stand for the
 *   character), or a bare name: starts with none of `0-9 . + - | = * / > < ( ) （ ） ! & % ' " “ ” ‘ ’ ^ \` ~ , ，`
 *   or white space, continues with none of them except digits and `.`;
 * - numbers `[0-9.]+`; strings in `"…"`, `'…'`, `“…”`, `‘…’` (a double-quote family opener closes at any of
 *   `" “ ”`, a single-quote one at any of `' ‘ ’`; `\n \r \t` and `\X` escapes);
 * - operators `+ - * / % & = != > >= < <= && || !`, parentheses `( )` and full-width `（ ）`, separators `,` `，`.
 */
export type TokenKind = 'number' | 'string' | 'field' | 'name' | 'op' | 'lparen' | 'rparen' | 'comma' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text of the token. */
  text: string;
  /** Decoded value: the string's content, the field reference without braces, the operator. */
  value: string;
  pos: number;
}

const NAME_STOP = new Set([...'+-|=*/><()（）!&%\'"“”‘’^`~,，']);
const DOUBLE_QUOTES = new Set(['"', '“', '”']);
const SINGLE_QUOTES = new Set(["'", '‘', '’']);
const isSpace = (c: string) => /\s/.test(c);
const isDigit = (c: string) => c >= '0' && c <= '9';

const nameStart = (c: string) => !NAME_STOP.has(c) && !isSpace(c) && !isDigit(c) && c !== '.' && c !== '{' && c !== '}';
const namePart = (c: string) => !NAME_STOP.has(c) && !isSpace(c);

const TWO_CHAR_OPS = ['!=', '&&', '>=', '<=', '||'];
const ONE_CHAR_OPS = '!+-*/%&><=';

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '{') {
      let value = '';
      i++;
      let closed = false;
      while (i < text.length) {
        const d = text[i]!;
        if (d === '\\' && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
        } else if (d === '}') {
          i++;
          closed = true;
          break;
        } else {
          value += d;
          i++;
        }
      }
      if (!closed) throw new FormulaError(MESSAGES.unknownOperator(text.slice(start)), start);
      tokens.push({ kind: 'field', text: text.slice(start, i), value, pos: start });
      continue;
    }
    if (DOUBLE_QUOTES.has(c) || SINGLE_QUOTES.has(c)) {
      const closers = DOUBLE_QUOTES.has(c) ? DOUBLE_QUOTES : SINGLE_QUOTES;
      let value = '';
      i++;
      let closed = false;
      while (i < text.length) {
        const d = text[i]!;
        if (d === '\\' && i + 1 < text.length) {
          const e = text[i + 1]!;
          value += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e;
          i += 2;
        } else if (closers.has(d)) {
          i++;
          closed = true;
          break;
        } else {
          value += d;
          i++;
        }
      }
      if (!closed) throw new FormulaError(MESSAGES.unknownOperator(text.slice(start)), start);
      tokens.push({ kind: 'string', text: text.slice(start, i), value, pos: start });
      continue;
    }
    if (isDigit(c) || c === '.') {
      while (i < text.length && (isDigit(text[i]!) || text[i] === '.')) i++;
      const raw = text.slice(start, i);
      if (!/^(\d+\.?\d*|\.\d+)$/.test(raw)) throw new FormulaError(MESSAGES.unableToParse(raw), start);
      tokens.push({ kind: 'number', text: raw, value: raw, pos: start });
      continue;
    }
    if (c === '(' || c === '（') {
      tokens.push({ kind: 'lparen', text: c, value: '(', pos: start });
      i++;
      continue;
    }
    if (c === ')' || c === '）') {
      tokens.push({ kind: 'rparen', text: c, value: ')', pos: start });
      i++;
      continue;
    }
    if (c === ',' || c === '，') {
      tokens.push({ kind: 'comma', text: c, value: ',', pos: start });
      i++;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (TWO_CHAR_OPS.includes(two)) {
      tokens.push({ kind: 'op', text: two, value: two, pos: start });
      i += 2;
      continue;
    }
    if (ONE_CHAR_OPS.includes(c)) {
      tokens.push({ kind: 'op', text: c, value: c, pos: start });
      i++;
      continue;
    }
    if (nameStart(c)) {
      i++;
      while (i < text.length && namePart(text[i]!)) i++;
      const raw = text.slice(start, i);
      tokens.push({ kind: 'name', text: raw, value: raw, pos: start });
      continue;
    }
    throw new FormulaError(MESSAGES.unknownOperator(c), start);
  }
  tokens.push({ kind: 'eof', text: '', value: '', pos: text.length });
  return tokens;
}
