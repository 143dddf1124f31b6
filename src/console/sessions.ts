import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A logged-in operator. The CSRF token is bound to the session and lives as long as it. */
export interface ConsoleSession {
  user: string;
  csrfToken: string;
  expiresAt: number;
}

export interface SessionStore {
  /** A fresh session; resolves with the id for the cookie (never stored as such). */
  create(user: string): Promise<{ id: string; session: ConsoleSession }>;
  get(id: string): Promise<ConsoleSession | undefined>;
  destroy(id: string): Promise<void>;
}

const ID = /^[A-Za-z0-9_-]{43}$/;

export const randomToken = (): string => randomBytes(32).toString('base64url');

/**
 * Sessions in Redis under the SHA-256 of their id: whoever reads Redis cannot replay a cookie.
 * Redis expires them after `sessionMinutes` from login (absolute, not sliding: a shift, then log in
 * again).
 */
export function createSessionStore(deps: {
  redis: Redis;
  deployment: string;
  sessionMinutes: number;
  clock: () => number;
}): SessionStore {
  const { redis, clock } = deps;
  const ttlMs = deps.sessionMinutes * 60_000;
  const key = (id: string) =>
    `switchboard:${deps.deployment}:console-session:${createHash('sha256').update(id).digest('hex')}`;

  return {
    async create(user) {
      const id = randomToken();
      const session: ConsoleSession = {
        user,
        csrfToken: randomToken(),
        expiresAt: clock() + ttlMs,
      };
      await redis.set(key(id), JSON.stringify(session), 'PX', ttlMs);
      return { id, session };
    },

    async get(id) {
      if (!ID.test(id)) return undefined;
      const raw = await redis.get(key(id));
      if (raw === null) return undefined;
      const session = JSON.parse(raw) as ConsoleSession;
      // Redis's own expiry is the backstop; this check holds under an injected clock too.
      return session.expiresAt > clock() ? session : undefined;
    },

    async destroy(id) {
      if (ID.test(id)) await redis.del(key(id));
    },
  };
}
