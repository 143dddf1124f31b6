import { z } from 'zod';
import { withTimeout, type Language } from '../common/index.js';
import type { OpeningHours } from './hours.js';
import { HOURS_PHRASES } from './phrases.js';

/** Minimal Redis surface, so tests and callers can pass any ioredis client. */
export interface OverrideRedis {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, px: 'PX', ms: number): Promise<unknown>;
  set(key: string, value: string): Promise<unknown>;
  del(key: string): Promise<number>;
}

/** An operator's decision that beats the opening hours: close the line for an incident, or open late. */
export interface HelpdeskOverride {
  state: 'closed' | 'open';
  /** ISO 8601; absent = until the operator lifts it. */
  until?: string;
}

const overrideSchema = z.object({
  state: z.enum(['closed', 'open']),
  until: z
    .string()
    .refine((s) => !Number.isNaN(Date.parse(s)))
    .optional(),
});

/** `<privacy.keyPrefix>:helpdesk:override`: no caller data, so no retention applies. */
export const overrideKey = (prefix: string) => `${prefix}:helpdesk:override`;

/** The override in force at `now`; an expired or unreadable one counts as none. */
export async function readOverride(
  redis: Pick<OverrideRedis, 'get'>,
  prefix: string,
  now: Date = new Date(),
): Promise<HelpdeskOverride | undefined> {
  const raw = await redis.get(overrideKey(prefix));
  if (raw === null) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const result = overrideSchema.safeParse(parsed);
  if (!result.success) return undefined;
  const { state, until } = result.data;
  if (until !== undefined && Date.parse(until) <= now.getTime()) return undefined;
  return until === undefined ? { state } : { state, until: new Date(until).toISOString() };
}

/**
 * Sets the override, or lifts it with `undefined` (the opening hours apply again). One with an
 * end expires in Redis as well, so a forgotten `close --until` never outlives its end.
 */
export async function writeOverride(
  redis: OverrideRedis,
  prefix: string,
  override: HelpdeskOverride | undefined,
  now: Date = new Date(),
): Promise<void> {
  const key = overrideKey(prefix);
  if (!override) {
    await redis.del(key);
    return;
  }
  if (override.until === undefined) {
    await redis.set(key, JSON.stringify({ state: override.state }));
    return;
  }
  const until = Date.parse(override.until);
  if (Number.isNaN(until))
    throw new RangeError(`until must be an ISO 8601 time, got "${override.until}"`);
  const ms = until - now.getTime();
  if (ms <= 0) throw new RangeError(`until must be in the future, got ${override.until}`);
  const value = JSON.stringify({ state: override.state, until: new Date(until).toISOString() });
  await redis.set(key, value, 'PX', ms);
}

export interface HelpdeskOpenOptions {
  hours: OpeningHours;
  redis: Pick<OverrideRedis, 'get'>;
  /** `privacy.keyPrefix`. */
  prefix: string;
  now: Date;
  /** The caller's language, for the closed sentence. */
  language: Language;
  /** How long the override read may take before the schedule decides alone. */
  redisTimeoutMs?: number;
  /** Told when Redis fails and the schedule decides alone. */
  onRedisError?: (err: unknown) => void;
}

export interface HelpdeskState {
  open: boolean;
  /** When closed: what to tell the caller ("closed now; opens again on Monday at 8:00"). */
  sentence?: string;
  /** The override that decided, if any. */
  override?: HelpdeskOverride;
}

/**
 * Whether a caller can be handed to the helpdesk now. An operator's override wins; when Redis
 * does not answer the opening hours decide, so an outage never closes (or opens) the line.
 */
export async function helpdeskOpen(options: HelpdeskOpenOptions): Promise<HelpdeskState> {
  const { hours, now, language } = options;
  let override: HelpdeskOverride | undefined;
  try {
    const ms = options.redisTimeoutMs ?? 500;
    override = await withTimeout(
      readOverride(options.redis, options.prefix, now),
      ms,
      () => new Error(`no answer from redis within ${ms} ms`),
    );
  } catch (err) {
    options.onRedisError?.(err);
  }
  if (override?.state === 'open') return { open: true, override };
  if (override?.state === 'closed') {
    // Closed until the operator reopens: no reopening time to promise.
    const sentence = override.until
      ? hours.closedNow(language, now, { until: new Date(override.until) })
      : HOURS_PHRASES[language].closedNow;
    return { open: false, sentence, override };
  }
  if (hours.isOpen(now)) return { open: true };
  return { open: false, sentence: hours.closedNow(language, now) };
}
