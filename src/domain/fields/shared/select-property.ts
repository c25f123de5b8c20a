import { z } from 'zod';
import { newId } from '../../ids.js';
import { PropertyError, type PropertyContext } from '../field-type.js';
import { parseWith, requireObject } from './property.js';
import { nextFreeColor, optionApi, PALETTE_SIZE, type SelectOption } from './select-options.js';

export interface SelectProperty<D extends string | string[]> {
  options: SelectOption[];
  defaultValue?: D;
}

const optionInput = z.object({
  id: z.string().optional(),
  name: z.string(),
  color: z.number().int().min(0).max(PALETTE_SIZE - 1).optional(),
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
  const existing = (ctx.existing as SelectProperty<string> | undefined)?.options ?? [];
  const options: SelectOption[] = [];
  parsed.options.forEach((o, i) => {
    if (o.id !== undefined && o.color === undefined) throw new PropertyError(`"options[${i}].color" is required`);
    if (options.some((other) => other.name === o.name)) throw new PropertyError(`"options[${i}].name" must be unique`);
    const known = o.id !== undefined ? existing.find((e) => e.id === o.id) : undefined;
    options.push({ id: known?.id ?? newId('option'), name: o.name, color: o.color ?? nextFreeColor(options) });
  });
  return { options, ...(parsed.defaultValue !== undefined ? { defaultValue: parsed.defaultValue } : {}) } as SelectProperty<
    M extends 'single' ? string : string[]
  >;
}

export const selectOptionsToApi = (p: SelectProperty<string | string[]>) => ({
  options: p.options.map(optionApi),
  ...(p.defaultValue !== undefined ? { defaultValue: p.defaultValue } : {}),
});
