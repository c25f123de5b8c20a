import { describe, expect, it } from 'vitest';
import { FormulaError } from '../../../src/domain/formula/errors.js';
import { tokenize } from '../../../src/domain/formula/lexer.js';

const kinds = (text: string) => tokenize(text).map((t) => [t.kind, t.value]);

describe('lexer', () => {
  it('reads every operator, longest first', () => {
    expect(kinds('+ - * / % & = != > >= < <= && || !').slice(0, -1)).toEqual(
      ['+', '-', '*', '/', '%', '&', '=', '!=', '>', '>=', '<', '<=', '&&', '||', '!'].map((op) => ['op', op]),
    );
    expect(kinds('a>=b')).toEqual([
      ['name', 'a'],
      ['op', '>='],
      ['name', 'b'],
      ['eof', ''],
    ]);
    expect(kinds('!!x')).toEqual([
      ['op', '!'],
      ['op', '!'],
      ['name', 'x'],
      ['eof', ''],
    ]);
  });

  it('reads numbers', () => {
    expect(kinds('12 3.5 .5 7.').slice(0, -1)).toEqual([
      ['number', '12'],
      ['number', '3.5'],
      ['number', '.5'],
      ['number', '7.'],
    ]);
    expect(() => tokenize('1.2.3')).toThrow('Parse character 1.2.3 failed');
  });

  it.each([
    ['"double"', 'double'],
    ["'single'", 'single'],
    ['“curly double”', 'curly double'],
    ['‘curly single’', 'curly single'],
    ['"mixed”', 'mixed'],
    ['"it\'s"', "it's"],
    ['\'say "hi"\'', 'say "hi"'],
    ['"a\\"b"', 'a"b'],
    ['"tab\\tnew\\nline\\r"', 'tab\tnew\nline\r'],
    ['"back\\\\slash"', 'back\\slash'],
    ['""', ''],
  ])('reads the string %s', (text, value) => {
    expect(tokenize(text)[0]).toMatchObject({ kind: 'string', value, text, pos: 0 });
  });

  it('rejects an unterminated string', () => {
    expect(() => tokenize('"abc')).toThrow(FormulaError);
    expect(() => tokenize("'abc")).toThrow("Unknown operational character: 'abc");
  });

  it.each([
    ['{Name}', 'Name'],
    ['{Field with spaces}', 'Field with spaces'],
    ['{a\\}b}', 'a}b'],
    ['{a\\{b\\}}', 'a{b}'],
    ['{back\\\\slash}', 'back\\slash'],
    ['{fldAAAAAAAAAA}', 'fldAAAAAAAAAA'],
    ['{}', ''],
    ['{1 + 2}', '1 + 2'],
  ])('reads the field reference %s', (text, value) => {
    expect(tokenize(text)[0]).toMatchObject({ kind: 'field', value, pos: 0 });
  });

  it('rejects an unterminated brace', () => {
    expect(() => tokenize('{Name')).toThrow('Unknown operational character: {Name');
  });

  it('reads bare names: no spaces or operators, may contain digits and dots after the first character', () => {
    expect(kinds('Qty2 a.b 名称 $x_y')).toEqual([
      ['name', 'Qty2'],
      ['name', 'a.b'],
      ['name', '名称'],
      ['name', '$x_y'],
      ['eof', ''],
    ]);
    expect(kinds('2abc')).toEqual([
      ['number', '2'],
      ['name', 'abc'],
      ['eof', ''],
    ]);
    expect(kinds('a-b')).toEqual([
      ['name', 'a'],
      ['op', '-'],
      ['name', 'b'],
      ['eof', ''],
    ]);
  });

  it('reads parentheses and separators, full-width too', () => {
    expect(kinds('SUM（1，2）')).toEqual([
      ['name', 'SUM'],
      ['lparen', '('],
      ['number', '1'],
      ['comma', ','],
      ['number', '2'],
      ['rparen', ')'],
      ['eof', ''],
    ]);
    expect(kinds('(,)').map(([k]) => k)).toEqual(['lparen', 'comma', 'rparen', 'eof']);
  });

  it('skips white space (including new lines) and records positions', () => {
    const tokens = tokenize(' 1\n+\t{A} ');
    expect(tokens.map((t) => t.pos)).toEqual([1, 3, 5, 9]);
  });

  it.each(['^', '`', '~', '|', '#'])('rejects the unknown character %s', (c) => {
    const text = `1 ${c} 2`;
    if (c === '#') expect(kinds(text)[1]).toEqual(['name', '#']);
    else expect(() => tokenize(text)).toThrow(`Unknown operational character: ${c}`);
  });
});
