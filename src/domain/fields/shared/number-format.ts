/** cellFormat=string for numbers (aitable-fusion-api.md §8.3): precision, thousands separator, symbol. */
export function formatNumber(
  value: number,
  options: { precision?: number; commaStyle?: string; symbol?: string; symbolAlign?: 'Default' | 'Left' | 'Right' },
): string {
  const precision = Math.min(Math.max(options.precision ?? 0, 0), 20);
  let text = Math.abs(value).toFixed(precision);
  if (options.commaStyle) {
    const [int, frac] = text.split('.');
    const separator = options.commaStyle === 'period' ? '.' : options.commaStyle === 'space' ? ' ' : ',';
    text = int!.replace(/\B(?=(\d{3})+(?!\d))/g, separator) + (frac !== undefined ? `.${frac}` : '');
  }
  const sign = value < 0 ? '-' : '';
  if (!options.symbol) return sign + text;
  return options.symbolAlign === 'Right' ? `${sign}${text}${options.symbol}` : `${sign}${options.symbol}${text}`;
}

export const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
