import { describe, expect, it } from 'vitest';
import type { FormulaProperty } from '../../../src/domain/fields/types/formula.field.js';
import { formulaField } from '../../../src/domain/fields/types/formula.field.js';

/** GET `format` once the formula engine has set the result type (`getApiMetaPropertyFormat`, §8.2). */
describe('Formula property format on GET', () => {
  const base: FormulaProperty = { expression: '{fldAAAAAAAAAA}', valueType: 'String', hasError: false };
  const api = (p: Partial<FormulaProperty>) => formulaField.property.toApi({ ...base, ...p });

  it('has no format for text, boolean and array results', () => {
    for (const valueType of ['String', 'Boolean', 'Array'] as const) {
      expect(api({ valueType, formatting: { precision: 2 } })).not.toHaveProperty('format');
    }
  });

  it('shows the odd unformatted DateTime default', () => {
    expect(api({ valueType: 'DateTime' })).toMatchObject({
      format: { type: 'DateTime', format: { dateFormat: 'YYYY/MM/DD', timeFormat: 'YYYY/MM/DD', includeTime: false } },
    });
  });

  it('shows DateTime formatting', () => {
    expect(
      api({ valueType: 'DateTime', formatting: { dateFormat: 'DD/MM/YYYY', timeFormat: 'HH:mm', includeTime: true } }),
    ).toMatchObject({
      format: { type: 'DateTime', format: { dateFormat: 'DD/MM/YYYY', timeFormat: 'HH:mm', includeTime: true } },
    });
  });

  it('shows Number and Currency formatting with their default precisions', () => {
    expect(api({ valueType: 'Number' })).toMatchObject({ format: { type: 'Number', format: { precision: 0 } } });
    expect(api({ valueType: 'Number', formatting: { precision: 3 } })).toMatchObject({
      format: { type: 'Number', format: { precision: 3 } },
    });
    expect(api({ valueType: 'Number', formatting: { symbol: '¥' } })).toMatchObject({
      format: { type: 'Currency', format: { precision: 2, symbol: '¥' } },
    });
  });

  it('reports the engine error flag', () => {
    expect(api({ hasError: true })).toEqual({ expression: '{fldAAAAAAAAAA}', valueType: 'String', hasError: true });
  });
});
