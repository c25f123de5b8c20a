import { PLANS, isPlan, type Plan } from '../domain/spaces/plans.js';

/** Rate limits and monthly quotas, per billing plan (reference §4; quota: reference §3 "Monthly API calls"). */
export interface RateLimitSettings {
  /** `RATE_LIMIT=off` disables the QPS and GraphQL limits (benchmarks); monthly quotas still apply when set. */
  enabled: boolean;
  /** Requests per window per bucket. */
  qps: Record<Plan, number>;
  /** Every token's overall budget per window = `qps[plan] * tokenMultiple`, over all its datasheets together. */
  tokenMultiple: number;
  /** Per client address and window: requests without a token (upload URLs, attachments, embed links) and failed authentications. */
  addressQps: number;
  /** Fixed window length. With Redis it is rounded up to whole seconds (the store keeps TTLs in seconds). */
  windowMs: number;
  /** GraphQL budget per window and token = `qps[plan] * graphqlCostPerRequest`, consumed by query cost. */
  graphqlCostPerRequest: number;
  /** API calls per space and calendar month (UTC); `null` = unlimited. */
  monthlyQuota: Record<Plan, number | null>;
}

export const DEFAULT_RATE_LIMIT_SETTINGS: RateLimitSettings = Object.freeze({
  enabled: true,
  qps: Object.freeze({ FREE: 2, PLUS: 5, PRO: 10, ENTERPRISE: 20 }),
  tokenMultiple: 5,
  addressQps: 20,
  windowMs: 1000,
  graphqlCostPerRequest: 50,
  monthlyQuota: Object.freeze({ FREE: null, PLUS: null, PRO: null, ENTERPRISE: null }),
});

export interface RateLimitEnv {
  RATE_LIMIT?: string | undefined;
  RATE_LIMIT_QPS?: string | undefined;
  RATE_LIMIT_WINDOW_MS?: string | undefined;
  RATE_LIMIT_TOKEN_MULTIPLE?: string | undefined;
  RATE_LIMIT_ADDRESS_QPS?: string | undefined;
  GRAPHQL_COST_PER_REQUEST?: string | undefined;
  API_MONTHLY_QUOTA?: string | undefined;
}

/** Reads the settings from the environment; an invalid value throws an Error naming the variable, in one line. */
export function parseRateLimitSettings(env: RateLimitEnv | NodeJS.ProcessEnv): RateLimitSettings {
  const d = DEFAULT_RATE_LIMIT_SETTINGS;
  return {
    enabled: parseSwitch('RATE_LIMIT', env.RATE_LIMIT, d.enabled),
    qps: parsePlanList('RATE_LIMIT_QPS', env.RATE_LIMIT_QPS, d.qps, 'FREE=2,PLUS=5', (v) => positiveInteger(v)),
    tokenMultiple: parsePositive('RATE_LIMIT_TOKEN_MULTIPLE', env.RATE_LIMIT_TOKEN_MULTIPLE, d.tokenMultiple),
    addressQps: parsePositive('RATE_LIMIT_ADDRESS_QPS', env.RATE_LIMIT_ADDRESS_QPS, d.addressQps),
    windowMs: parsePositive('RATE_LIMIT_WINDOW_MS', env.RATE_LIMIT_WINDOW_MS, d.windowMs),
    graphqlCostPerRequest: parsePositive(
      'GRAPHQL_COST_PER_REQUEST',
      env.GRAPHQL_COST_PER_REQUEST,
      d.graphqlCostPerRequest,
    ),
    monthlyQuota: parsePlanList(
      'API_MONTHLY_QUOTA',
      env.API_MONTHLY_QUOTA,
      d.monthlyQuota,
      'FREE=10000,PLUS=unlimited',
      (v) => (v.toLowerCase() === 'unlimited' ? null : nonNegativeInteger(v)),
    ),
  };
}

const shown = (raw: string) => JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw);

function unset(raw: string | undefined): raw is undefined {
  return raw === undefined || raw.trim() === '';
}

function parseSwitch(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (unset(raw)) return fallback;
  const value = raw.trim().toLowerCase();
  if (value === 'on') return true;
  if (value === 'off') return false;
  throw new Error(`${name} must be "on" or "off" (got ${shown(raw)})`);
}

function parsePositive(name: string, raw: string | undefined, fallback: number): number {
  if (unset(raw)) return fallback;
  const value = positiveInteger(raw.trim());
  if (value === undefined) throw new Error(`${name} must be a positive whole number (got ${shown(raw)})`);
  return value;
}

/** `PLAN=value,PLAN=value`; plans not listed keep their default. `undefined` from `value` = invalid. */
function parsePlanList<T>(
  name: string,
  raw: string | undefined,
  defaults: Readonly<Record<Plan, T>>,
  example: string,
  value: (text: string) => T | undefined,
): Record<Plan, T> {
  const result = { ...defaults } as Record<Plan, T>;
  if (unset(raw)) return result;
  const seen = new Set<Plan>();
  for (const entry of raw.split(',')) {
    const match = /^\s*([A-Za-z]+)\s*=\s*(\S+)\s*$/.exec(entry);
    if (!match) throw new Error(`${name} must look like ${example} (got ${shown(raw)})`);
    const plan = match[1]!.toUpperCase();
    if (!isPlan(plan)) throw new Error(`${name}: unknown plan ${shown(match[1]!)} (plans: ${PLANS.join(', ')})`);
    if (seen.has(plan)) throw new Error(`${name}: plan ${plan} is listed twice (got ${shown(raw)})`);
    const parsed = value(match[2]!);
    if (parsed === undefined)
      throw new Error(`${name}: invalid value for ${plan} (got ${shown(match[2]!)}); example ${example}`);
    seen.add(plan);
    result[plan] = parsed;
  }
  return result;
}

function nonNegativeInteger(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

function positiveInteger(text: string): number | undefined {
  const value = nonNegativeInteger(text);
  return value !== undefined && value > 0 ? value : undefined;
}
