/**
 * The query encodings official clients send (aitable-sdk-clients.md §1, aitable-fusion-api.md §2.2, §7.2),
 * read from the raw query string so that no generic parser folds them first:
 * `fields=a,b` · `fields=a&fields=b` · `fields[]=a&fields[]=b` (same for recordIds), and for sort:
 * `sort[][field]=A&sort[][order]=desc` pairs (paired in order, so multi-column sort from the JS SDK works),
 * `sort[0][field]=…` indexed, `sort={"field":…,"order":…}` repeated or comma-joined, `sort[]=<json>`.
 */
export class QueryParseError extends Error {
  override name = 'QueryParseError';
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
  }
}

export function queryEntries(url: string): [string, string][] {
  const question = url.indexOf('?');
  return question < 0 ? [] : [...new URLSearchParams(url.slice(question + 1)).entries()];
}

/** A list parameter in any of its encodings; `null`, `undefined`, `{}` and empty items are dropped, as the reference does. */
export function listParam(entries: [string, string][], name: string): string[] | undefined {
  const plain = entries.filter(([key]) => key === name).map(([, value]) => value);
  const bracketed = entries.filter(([key]) => key === `${name}[]`).map(([, value]) => value);
  if (plain.length + bracketed.length === 0) return undefined;
  // A single plain value is a comma list; repeated plain values and bracketed ones are items as they are.
  const items = [...(plain.length === 1 ? plain[0]!.split(',') : plain), ...bracketed];
  return items.map((v) => v.trim()).filter((v) => v !== '' && v !== 'null' && v !== 'undefined' && v !== '{}');
}

export interface SortRule {
  field: string;
  order: 'asc' | 'desc';
}

export function sortParam(entries: [string, string][]): SortRule[] | undefined {
  const rules: { field?: string; order?: string }[] = [];
  const indexed = new Map<number, { field?: string; order?: string }>();
  let seen = false;
  for (const [key, value] of entries) {
    if (key === 'sort' || key === 'sort[]') {
      seen = true;
      for (const rule of jsonRules(value)) rules.push(rule);
      continue;
    }
    const pair = /^sort\[\]\[(field|order)\]$/.exec(key);
    if (pair) {
      seen = true;
      const part = pair[1] as 'field' | 'order';
      // A new rule starts when the current one already has this part.
      const current = rules[rules.length - 1];
      if (!current || current[part] !== undefined) rules.push({ [part]: value });
      else current[part] = value;
      continue;
    }
    const numbered = /^sort\[(\d+)\]\[(field|order)\]$/.exec(key);
    if (numbered) {
      seen = true;
      const index = Number(numbered[1]);
      const rule = indexed.get(index) ?? {};
      rule[numbered[2] as 'field' | 'order'] = value;
      indexed.set(index, rule);
    }
  }
  if (!seen) return undefined;
  const all = [...rules, ...[...indexed.entries()].sort(([a], [b]) => a - b).map(([, rule]) => rule)];
  return all.map((rule, i) => {
    if (!rule.field) throw new QueryParseError('sort', `sort[${i}].field is required`);
    const order = (rule.order ?? 'asc').toLowerCase();
    if (order !== 'asc' && order !== 'desc')
      throw new QueryParseError('sort', `sort[${i}].order must be "asc" or "desc"`);
    return { field: rule.field, order };
  });
}

function jsonRules(value: string): { field?: string; order?: string }[] {
  const text = value.trim();
  try {
    const parsed = JSON.parse(text.startsWith('[') ? text : `[${text}]`) as unknown;
    if (Array.isArray(parsed) && parsed.every((r) => r && typeof r === 'object')) {
      return (parsed as Record<string, unknown>[]).map((r) => ({
        ...(typeof r.field === 'string' ? { field: r.field } : {}),
        ...(typeof r.order === 'string' ? { order: r.order } : {}),
      }));
    }
  } catch {
    // fall through
  }
  throw new QueryParseError('sort', 'sort must be a JSON object like {"field":"Name","order":"asc"}');
}
