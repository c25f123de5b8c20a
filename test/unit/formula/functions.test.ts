import { describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, FUNCTIONS } from '../../../src/domain/formula/index.js';
import { cases } from './eval-helper.js';
import { FUNCTION_CASES } from './function-cases.js';

/** The evaluator on every function's case table (function-cases.ts), grouped by category. */
const categories = ['numeric', 'text', 'logical', 'date-time', 'array', 'record'] as const;

for (const category of categories) {
  describe(`${category} functions`, () => {
    for (const name of FUNCTION_NAMES.filter((n) => FUNCTIONS[n].category === category)) {
      describe(name, () => {
        cases(FUNCTION_CASES[name]);
      });
    }
  });
}

describe('case tables', () => {
  it('name the function they test in every row', () => {
    for (const name of FUNCTION_NAMES) {
      for (const [formula] of FUNCTION_CASES[name]) expect(formula.toUpperCase()).toContain(`${name}(`);
    }
  });
});
