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
const BASE = [
  '#7B67EE',
  '#5586FF',
  '#55CDFF',
  '#30C28B',
  '#52C41B',
  '#FFD43A',
  '#FFAB00',
  '#FF7A00',
  '#FF708B',
  '#E33E38',
];
const ALPHA = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0];

export const PALETTE_SIZE = 80;

export function colorOf(index: number): { name: string; value: string } {
  const hue = index % 10;
  const level = Math.floor(index / 10);
  const base = BASE[hue]!;
  const alpha = ALPHA[level] ?? 1;
  const channel = (offset: number) => {
    const c = parseInt(base.slice(offset, offset + 2), 16);
    return Math.round(c * alpha + 255 * (1 - alpha))
      .toString(16)
      .toUpperCase()
      .padStart(2, '0');
  };
  return { name: `${HUES[hue]}_${level}`, value: `#${channel(1)}${channel(3)}${channel(5)}` };
}

/** The next colour not used by the options yet (cycling through the palette when all are used). */
export function nextFreeColor(options: readonly SelectOption[]): number {
  const colors = new ColorPicker(options);
  return colors.next(options.length);
}

/**
 * Picks colours for options added one by one in O(1) amortised: the first palette index no option uses,
 * and once all are used, the option count modulo the palette (as nextFreeColor).
 */
export class ColorPicker {
  private readonly used = new Set<number>();
  private free = 0;
  constructor(options: readonly SelectOption[] = []) {
    for (const o of options) this.used.add(o.color);
  }
  /** The colour for an option added to a list of `count` options; marks it used. */
  next(count: number): number {
    while (this.free < PALETTE_SIZE && this.used.has(this.free)) this.free++;
    const color = this.free < PALETTE_SIZE ? this.free : count % PALETTE_SIZE;
    this.used.add(color);
    return color;
  }
  use(color: number): void {
    this.used.add(color);
  }
}

/**
 * A field's options while a write adds to them: names found through a map and colours through a ColorPicker,
 * so adding n options costs O(n), not O(n²). `options` is the grown list (the caller saves it with its write).
 */
export class OptionList {
  readonly options: SelectOption[];
  private readonly byName = new Map<string, SelectOption>();
  private readonly colors: ColorPicker;
  constructor(initial: readonly SelectOption[]) {
    this.options = [...initial];
    for (const o of this.options) if (!this.byName.has(o.name)) this.byName.set(o.name, o);
    this.colors = new ColorPicker(this.options);
  }
  find(name: string): SelectOption | undefined {
    return this.byName.get(name);
  }
  /** Appends a new option (the caller checked the name is not there yet). */
  add(name: string): SelectOption {
    const option = { id: newId('option'), name, color: this.colors.next(this.options.length) };
    this.options.push(option);
    this.byName.set(name, option);
    return option;
  }
  /** The option of a name, created (with the next free colour) when the list has none. */
  named(name: string): { option: SelectOption; created: boolean } {
    const found = this.byName.get(name);
    return found ? { option: found, created: false } : { option: this.add(name), created: true };
  }
}

const indexes = new WeakMap<readonly SelectOption[], Map<string, SelectOption>>();

/** The option of an id, through a map kept per options list (reads look up every id of every cell). */
export function optionById(options: readonly SelectOption[], id: unknown): SelectOption | undefined {
  let index = indexes.get(options);
  if (!index) {
    index = new Map();
    for (const o of options) if (!index.has(o.id)) index.set(o.id, o);
    indexes.set(options, index);
  }
  return typeof id === 'string' ? index.get(id) : undefined;
}

/**
 * How a select cell follows a record moved into another select field: option ids mapped by option name, options
 * missing in the target created there (its grown property recorded in `changed`, by field id, for the caller to save).
 */
export function moveSelectCell(
  from: { property: unknown },
  to: { id: string; property: unknown },
  changed: Map<string, unknown>,
) {
  const fromOptions = (from.property as { options: SelectOption[] }).options;
  const toProperty = to.property as { options: SelectOption[] };
  const options = new OptionList(toProperty.options);
  const map = (id: unknown) => {
    const name = optionById(fromOptions, id)?.name;
    if (name === undefined) return undefined;
    const { option, created } = options.named(name);
    if (created) changed.set(to.id, { ...toProperty, options: options.options });
    return option.id;
  };
  return (value: unknown) => (Array.isArray(value) ? value.map(map).filter(Boolean) : map(value));
}

export const optionApi = (o: SelectOption) => ({ id: o.id, name: o.name, color: colorOf(o.color) });
