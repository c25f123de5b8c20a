import { describe, expect, it } from 'vitest';
import { ID_PREFIX, isId, newId, randomBase62 } from '../../src/domain/ids.js';

describe('ids', () => {
  it.each(Object.entries(ID_PREFIX))('%s ids carry the %s prefix and a base62 tail', (kind, prefix) => {
    const id = newId(kind as keyof typeof ID_PREFIX);
    // Embed link ids are capabilities (anyone holding one reads the datasheet), hence their longer tail.
    expect(id).toMatch(new RegExp(`^${prefix}[0-9A-Za-z]{${kind === 'embedLink' ? '24' : '10,15'}}$`));
    expect(isId(kind as keyof typeof ID_PREFIX, id)).toBe(true);
  });

  it('recognises ids by prefix only', () => {
    expect(isId('datasheet', newId('record'))).toBe(false);
    expect(isId('datasheet', 'dst0Yj5aNeoHldqvf6')).toBe(true);
    expect(isId('datasheet', 'dst')).toBe(false);
    expect(isId('datasheet', 'dst!!!!!!!!!!')).toBe(false);
  });

  it('draws every base62 digit with roughly equal frequency', () => {
    const counts = new Map<string, number>();
    for (const ch of randomBase62(62_000)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(62);
    for (const n of counts.values()) expect(n).toBeGreaterThan(700);
  });
});
