import { z } from 'zod';
import { newId } from '../../ids.js';
import { PropertyError, type PropertyContext } from '../field-type.js';
import { parseWith, requireObject } from './property.js';
import { MAX_OPTION_NAME_LENGTH, MAX_SELECT_OPTIONS } from '../../limits.js';
import { storableTextProblem } from '../../text.js';
import { ColorPicker, optionApi, PALETTE_SIZE, type SelectOption } from './select-options.js';

export interface SelectProperty<D extends string | string[]> {
  options: SelectOption[];
  defaultValue?: D;
}

const optionInput = z.object({
  id: z.string().optional(),
  name: z.string(),
  color: z
    .number()
    .int()
    .min(0)
    .max(PALETTE_SIZE - 1)
    .optional(),
});

/**
 * SingleSelect / MultiSelect property (§8.2): `options` required, `color` a palette number; an option with
 * an id must carry a colour; on update, options keep their ids so existing cells keep pointing at them.
 */
export function parseSelectProperty<M extends 'single' | 'multi'>(
  input: unknown,
  ctx: PropertyContext,
  mode: M,
): SelectProperty<M extends 'single' ? string : string[]> {
  const raw = requireObject(input);
  const parsed = parseWith(
    z.object({
      options: z.array(optionInput),
      defaultValue: mode === 'single' ? z.string().optional() : z.array(z.string()).optional(),
    }),
    raw,
  );
  if (parsed.options.length > MAX_SELECT_OPTIONS)
    throw new PropertyError(`"options" must contain no more than ${MAX_SELECT_OPTIONS} elements`);
  const existing = new Map(((ctx.existing as SelectProperty<string> | undefined)?.options ?? []).map((e) => [e.id, e]));
  const options: SelectOption[] = [];
  const names = new Set<string>();
  const colors = new ColorPicker();
  parsed.options.forEach((o, i) => {
    if (o.id !== undefined && o.color === undefined) throw new PropertyError(`"options[${i}].color" is required`);
    checkOptionName(o.name, `"options[${i}].name"`);
    if (names.has(o.name)) throw new PropertyError(`"options[${i}].name" must be unique`);
    names.add(o.name);
    const known = o.id !== undefined ? existing.get(o.id) : undefined;
    if (o.color !== undefined) colors.use(o.color);
    options.push({ id: known?.id ?? newId('option'), name: o.name, color: o.color ?? colors.next(options.length) });
  });
  return {
    options,
    ...(parsed.defaultValue !== undefined ? { defaultValue: parsed.defaultValue } : {}),
  } as SelectProperty<M extends 'single' ? string : string[]>;
}

export const selectOptionsToApi = (p: SelectProperty<string | string[]>) => ({
  options: p.options.map(optionApi),
  ...(p.defaultValue !== undefined ? { defaultValue: p.defaultValue } : {}),
});

/** An option name a datasheet can keep: at most MAX_OPTION_NAME_LENGTH characters, no NUL, no lone surrogate. */
function checkOptionName(name: string, label: string): void {
  if (name.length > MAX_OPTION_NAME_LENGTH)
    throw new PropertyError(`${label} must not be longer than ${MAX_OPTION_NAME_LENGTH} characters`);
  const problem = storableTextProblem(name);
  if (problem) throw new PropertyError(`${label} ${problem}`);
}

/** A select field converted into another select type keeps its options (ids and colours, so its cells keep them). */
export function keepSelectOptions(from: { property: unknown }): { options: SelectOption[] } {
  const options = (from.property as { options?: unknown } | null)?.options;
  return { options: Array.isArray(options) ? (options as SelectOption[]) : [] };
}
