import { newId } from '../../ids.js';

/**
 * Select options and their colours (aitable-fusion-api.md §8.2): palette index = level × 10 + hue index,
 * levels 0–7, colour value blended over white at the level's alpha.
 */
export interface SelectOption {
  id: string;
  name: string;
  /** Palette index 0–79. */
  color: number;
}

const HUES = ['deepPurple', 'indigo', 'blue', 'teal', 'green', 'yellow', 'orange', 'tangerine', 'pink', 'red'] as const;
const BASE = ['#7B67EE', '#5586FF', '#55CDFF', '#30C28B', '#52C41B', '#FFD43A', '#FFAB00', '#FF7A00', '#FF708B', '#E33E38'];
const ALPHA = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0];

export const PALETTE_SIZE = 80;

export function colorOf(index: number): { name: string; value: string } {
  const hue = index % 10;
  const level = Math.floor(index / 10);
  const base = BASE[hue]!;
  const alpha = ALPHA[level] ?? 1;
  const channel = (offset: number) => {
    const c = parseInt(base.slice(offset, offset + 2), 16);
    return Math.round(c * alpha + 255 * (1 - alpha)).toString(16).toUpperCase().padStart(2, '0');
  };
  return { name: `${HUES[hue]}_${level}`, value: `#${channel(1)}${channel(3)}${channel(5)}` };
}

/** The next colour not used by the options yet (cycling through the palette when all are used). */
export function nextFreeColor(options: readonly SelectOption[]): number {
  const used = new Set(options.map((o) => o.color));
  for (let i = 0; i < PALETTE_SIZE; i++) if (!used.has(i)) return i;
  return options.length % PALETTE_SIZE;
}

/**
 * The option of a name, created (with the next free colour) when the list has none; `created` says whether
 * the list grew, so the caller can save the field's property with its write.
 */
export function optionNamed(options: SelectOption[], name: string): { option: SelectOption; created: boolean } {
  const found = options.find((o) => o.name === name);
  if (found) return { option: found, created: false };
  const option = { id: newId('option'), name, color: nextFreeColor(options) };
  options.push(option);
  return { option, created: true };
}

export const optionApi = (o: SelectOption) => ({ id: o.id, name: o.name, color: colorOf(o.color) });
