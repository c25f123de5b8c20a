/** Drivers hand json(b) columns over parsed, or some as json text: the value either way (null stays null). */
export function parseObject<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}
