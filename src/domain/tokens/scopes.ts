export const SCOPES = [
  'spaces:read',
  'datasheets:read',
  'datasheets:write',
  'records:read',
  'records:write',
  'attachments:write',
  'webhooks:manage',
  'tokens:manage',
  'audit:read',
] as const;

export type Scope = (typeof SCOPES)[number];

export const isScope = (value: string): value is Scope => (SCOPES as readonly string[]).includes(value);
