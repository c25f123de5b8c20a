export const PLANS = ['FREE', 'PLUS', 'PRO', 'ENTERPRISE'] as const;

export type Plan = (typeof PLANS)[number];

export const isPlan = (value: string): value is Plan => (PLANS as readonly string[]).includes(value);
