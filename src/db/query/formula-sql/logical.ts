import { switchParts } from '../../../domain/formula/functions/logical.js';
import { isSingleArray } from '../../../domain/formula/functions/shared.js';
import type { SqlCall, SqlFunction } from './call.js';
import { anyError, nullOf } from './values.js';

// Logical functions in SQL, the twins of src/domain/formula/functions/logical.ts.

function truthElements(call: SqlCall, mode: 'and' | 'or' | 'xor'): string {
  if (isSingleArray(call.args)) {
    const a = call.arg(0).v;
    if (mode === 'and') return `coalesce((SELECT bool_and(u.e <> '') FROM unnest(${a}) AS u(e)), false)`;
    if (mode === 'or') return `coalesce((SELECT bool_or(u.e <> '') FROM unnest(${a}) AS u(e)), false)`;
    return `coalesce((SELECT count(*) FILTER (WHERE u.e <> '') % 2 = 1 FROM unnest(${a}) AS u(e)), false)`;
  }
  const ts = call.args.map((_, i) => call.truthy(i));
  if (mode === 'and') return `(${ts.join(' AND ')})`;
  if (mode === 'or') return `(${ts.join(' OR ')})`;
  return `((${ts.map((t) => `${t}::int`).join(' + ')}) % 2 = 1)`;
}

export const LOGICAL_SQL = {
  IF: (call) => {
    const type = call.node.type;
    const t = call.truthy(0);
    const a = call.convert(1, type);
    const b = call.convert(2, type);
    const branchError =
      a.e || b.e
        ? `(CASE WHEN ${t} THEN coalesce(${a.e ?? 'false'}, false) ELSE coalesce(${b.e ?? 'false'}, false) END)`
        : null;
    return { v: `(CASE WHEN ${t} THEN ${a.v} ELSE ${b.v} END)`, e: anyError(call.arg(0).e, branchError) };
  },
  SWITCH: (call) => {
    const type = call.node.type;
    const { pairs, hasDefault, defaultIndex } = switchParts(call.args);
    const target = call.arg(0);
    const values: string[] = [];
    const errors: string[] = [];
    let anyBranchError = false;
    for (let k = 0; k < pairs; k++) {
      const p = 1 + 2 * k;
      const pattern = call.arg(p);
      const eq = call.compare('=', { ...target, e: null }, { ...pattern, e: null }).v;
      const result = call.convert(p + 1, type);
      values.push(`WHEN ${eq} THEN ${result.v}`);
      if (pattern.e) {
        errors.push(`WHEN coalesce(${pattern.e}, false) THEN true`);
        anyBranchError = true;
      }
      errors.push(`WHEN ${eq} THEN coalesce(${result.e ?? 'false'}, false)`);
      if (result.e) anyBranchError = true;
    }
    const fallback = hasDefault ? call.convert(defaultIndex, type) : { v: nullOf(type), e: null };
    if (fallback.e) anyBranchError = true;
    const v = values.length ? `(CASE ${values.join(' ')} ELSE ${fallback.v} END)` : fallback.v;
    const branchError = anyBranchError
      ? `(CASE ${errors.join(' ')} ELSE coalesce(${fallback.e ?? 'false'}, false) END)`
      : null;
    return { v, e: anyError(target.e, branchError) };
  },
  TRUE: () => ({ v: 'true' }),
  FALSE: () => ({ v: 'false' }),
  AND: (call) => ({ v: truthElements(call, 'and') }),
  OR: (call) => ({ v: truthElements(call, 'or') }),
  XOR: (call) => ({ v: truthElements(call, 'xor') }),
  BLANK: () => ({ v: 'NULL::text' }),
  ERROR: () => ({ v: 'NULL::text', e: 'true' }),
  ISERROR: (call) => ({ v: call.arg(0).e ? `coalesce(${call.arg(0).e}, false)` : 'false', e: null }),
  IS_ERROR: (call) => ({ v: call.arg(0).e ? `coalesce(${call.arg(0).e}, false)` : 'false', e: null }),
  NOT: (call) => ({ v: `(NOT ${call.truthy(0)})` }),
} satisfies Record<string, SqlFunction>;
