import type { CallNode, FormulaNode, FormulaValue, ValueType } from '../ast.js';
import { isValidIanaZone, UNITS, type ZoneSpec } from '../dates.js';
import { FormulaError, FormulaRuntimeError, MESSAGES } from '../errors.js';
import type { Call, FormulaFunction } from './function.js';

/** Result type of IF/SWITCH-like choices: BLANK() branches adopt the others' type; mixed types become text. */
export function commonType(types: readonly ValueType[]): ValueType {
  const known = types.filter((t) => t !== 'null');
  if (!known.length) return 'null';
  return known.every((t) => t === known[0]) ? known[0]! : 'string';
}

/** The value of argument i converted to `type` (only identity, blank, and → text are needed by commonType). */
export function choose(call: Call, i: number, type: ValueType): FormulaValue {
  const value = call.value(i);
  if (value === null || type === 'null') return null;
  if (call.args[i]!.type === type) return value;
  return call.text(i);
}

export const define = <N extends string>(
  name: N,
  fn: Omit<FormulaFunction, 'name'>,
): FormulaFunction & { name: N } => ({ name, ...fn });

export const literalString = (node: FormulaNode | undefined): string | undefined =>
  node?.kind === 'string' ? node.value : undefined;

export function literalNumber(node: FormulaNode | undefined): number | undefined {
  if (node?.kind === 'number') return node.value;
  if (node?.kind === 'unary' && (node.op === '-' || node.op === '+') && node.arg.kind === 'number') {
    return node.op === '-' ? -node.arg.value : node.arg.value;
  }
  return undefined;
}

/** A literal unit argument must be one of the reference's units (checked when parsing, as DATEADD does). */
export function checkUnitLiteral(args: readonly FormulaNode[], index: number, node: CallNode): void {
  const unit = literalString(args[index]);
  if (unit !== undefined && unit !== '' && !Object.hasOwn(UNITS, unit)) {
    throw new FormulaError(MESSAGES.invalidUnit(node.name, unit), args[index]!.pos);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// SET_TIMEZONE: the zone is a literal: a number of hours (the reference's utcOffset, default +8), an offset text
// ("+05:30", "-8"), or an IANA name. Date functions applied to SET_TIMEZONE(date, zone) use that zone.

const OFFSET_TEXT = /^[-+]?\d{1,2}(?:(?::?)(\d{2}))?$|^[-+]?\d{1,2}\.\d+$/;

export function zoneFromLiteral(node: FormulaNode | undefined): ZoneSpec | undefined {
  if (node === undefined) return { kind: 'offset', minutes: 8 * 60 };
  const n = literalNumber(node);
  if (n !== undefined) return Math.abs(n) <= 14 ? { kind: 'offset', minutes: Math.round(n * 60) } : undefined;
  const text = literalString(node)?.trim();
  if (text === undefined) return undefined;
  if (OFFSET_TEXT.test(text)) {
    const sign = text.startsWith('-') ? -1 : 1;
    const body = text.replace(/^[-+]/, '');
    let minutes: number;
    if (body.includes('.')) minutes = Math.round(Number(body) * 60);
    else {
      const [, h = '0', m = '0'] = /^(\d{1,2}):?(\d{2})?$/.exec(body) ?? [];
      minutes = Number(h) * 60 + Number(m);
    }
    return minutes <= 14 * 60 ? { kind: 'offset', minutes: sign * minutes } : undefined;
  }
  if (/^utc$|^gmt$|^z$/i.test(text)) return { kind: 'offset', minutes: 0 };
  return isValidIanaZone(text) ? { kind: 'iana', name: text } : undefined;
}

/** The zone a date argument is read in: SET_TIMEZONE / SET_LOCALE wrapped directly around it, else `fallback`. */
export function argZone(node: FormulaNode | undefined, fallback: ZoneSpec): ZoneSpec {
  if (node?.kind !== 'call') return fallback;
  if (node.name === 'SET_TIMEZONE') return zoneFromLiteral(node.args[1]) ?? fallback;
  if (node.name === 'SET_LOCALE') return argZone(node.args[0], fallback);
  return fallback;
}

export const runtimeError = (message = '') => new FormulaRuntimeError(message);

/** Arguments flattened: arrays contribute their elements, blanks nothing, other values their text. */
export function flattenTexts(call: Call): string[] {
  const out: string[] = [];
  call.args.forEach((arg, i) => {
    const v = call.value(i);
    if (v === null) return;
    if (arg.type === 'array') out.push(...(v as string[]));
    else out.push(call.text(i));
  });
  return out;
}

/** For one array argument, functions like AND/COUNTA look at its elements (the reference's isArrayParam). */
export const isSingleArray = (args: readonly FormulaNode[]) => args.length === 1 && args[0]!.type === 'array';
