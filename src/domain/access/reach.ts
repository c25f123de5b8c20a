import { DomainError, type Reasons } from '../errors.js';

/** The datasheets a caller may reach: its token's restriction; absent or empty means every datasheet of its space. */
export interface Reach {
  datasheetIds?: readonly string[] | undefined;
}

/**
 * The one rule of a datasheet restriction, for the request's own datasheet (the access gate) and for every datasheet
 * reached through it: a link or lookup field's target, the records a link cell names, the sibling of a two-way link.
 * A datasheet outside the restriction is treated as one that does not exist: a link or lookup cannot be made to it,
 * lookups into it read empty (GET fields: `hasError`), linked records show their ids instead of their titles, and a
 * write that would name its records or change them (a two-way sibling) is refused with `beyondReach`.
 */
export const canReach = (reach: Reach | undefined, datasheetId: string): boolean =>
  !reach?.datasheetIds?.length || reach.datasheetIds.includes(datasheetId);

/** A write refused because it would name or change records (or a field) of a linked datasheet outside the token's restriction. */
export const beyondReach = (details: Reasons['BEYOND_REACH']) =>
  new DomainError(
    'BEYOND_REACH',
    'This token is restricted to some datasheets and cannot name or change records or fields of a linked datasheet outside them',
    { parameter: 'fields', ...details },
  );
