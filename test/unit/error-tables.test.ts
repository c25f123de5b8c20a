import { describe, expect, it } from 'vitest';
import { DomainError, REASON_CODE, type Reason } from '../../src/domain/errors.js';
import { FUSION_CODES, toFusionFailure } from '../../rest/errors.js';
import { GRAPHQL_ERROR_CODES, REASON_CODES } from '../../graphql/errors.js';

const REASONS = Object.keys(REASON_CODE) as Reason[];

describe('error tables', () => {
  it('give every domain reason a Fusion answer and a GraphQL code', () => {
    expect(REASONS.length).toBeGreaterThan(10);
    for (const reason of REASONS) {
      expect(FUSION_CODES[reason], reason).toMatchObject({ status: expect.any(Number), code: expect.any(Number) });
      expect(Object.keys(GRAPHQL_ERROR_CODES), reason).toContain(REASON_CODES[reason]);
    }
    expect(Object.keys(FUSION_CODES).sort()).toEqual([...REASONS].sort());
    expect(Object.keys(REASON_CODES).sort()).toEqual([...REASONS].sort());
  });

  it('keep the Fusion wire codes of the reasons that have their own', () => {
    const answer = (error: DomainError) => {
      const { status, body } = toFusionFailure(error);
      return [status, body.code];
    };
    expect(answer(new DomainError('DATASHEET_NOT_FOUND', 'x', { parameter: 'datasheetId' }))).toEqual([200, 301]);
    expect(answer(new DomainError('EMBED_LINK_NOT_FOUND', 'x', { parameter: 'linkId' }))).toEqual([200, 1501]);
    expect(answer(new DomainError('OPERATION_DENIED', 'x', { scope: 'records:write', role: 'reader' }))).toEqual([
      200, 602,
    ]);
    expect(answer(new DomainError('IDEMPOTENCY_IN_PROGRESS', 'x', { parameter: 'Idempotency-Key' }))).toEqual([
      409, 409,
    ]);
    expect(answer(new DomainError('IDEMPOTENCY_CLAIM_LOST', 'x'))).toEqual([409, 409]);
    expect(answer(new DomainError('TOO_MANY_FILES', 'x', { parameter: 'file' }))).toEqual([200, 428]);
    expect(answer(new DomainError('ROW_CAP_REACHED', 'x', { cap: 1, current: 1, adding: 1 }))).toEqual([500, 304]);
    expect(answer(new DomainError('ATTACHMENT_CAPACITY_REACHED', 'x'))).toEqual([200, 426]);
    expect(answer(new DomainError('INVALID_ARGUMENT', 'x', { parameter: 'p' }))).toEqual([200, 400]);
  });

  it('derive each category from the reason', () => {
    expect(new DomainError('DATASHEET_NOT_FOUND', 'x', { parameter: 'datasheetId' }).code).toBe('NOT_FOUND');
    expect(new DomainError('LINK_LIMIT', 'x', { parameter: 'nodeId', limit: 30 }).code).toBe('LIMIT_EXCEEDED');
  });
});
