import type { Redis } from 'ioredis';

/**
 * What the console's audit log records. Only ids, names and counts: never a phone number, never
 * transcript text. `operator` is the login name (or the name tried, for a known user).
 */
export type AuditEntry =
  | { action: 'login'; operator: string; source: string }
  | { action: 'login_failed'; operator?: string; source: string }
  | { action: 'logout'; operator: string }
  | { action: 'transcript_opened'; operator: string; callId: string }
  | { action: 'callback_placed'; operator: string; messageId: string; state: string }
  | {
      action: 'caller_erased';
      operator: string;
      keyIds: string[];
      transcripts: number;
      rateLimitEntries: number;
    };

export type StoredAuditEntry = AuditEntry & { id: string; at: string };

export interface AuditLog {
  write(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  recent(limit: number): Promise<StoredAuditEntry[]>;
}

export const consoleAuditStream = (deployment: string) => `switchboard:${deployment}:console-audit`;

/**
 * A Redis stream, trimmed on every write to the transcript retention (it names the calls whose
 * transcripts were opened, so it lives no longer than they do) and expiring as a whole when idle.
 */
export function createAuditLog(deps: {
  redis: Redis;
  deployment: string;
  retentionSeconds: number;
  clock: () => number;
}): AuditLog {
  const { redis, clock } = deps;
  const key = consoleAuditStream(deps.deployment);
  const retentionMs = deps.retentionSeconds * 1000;

  return {
    async write(entry) {
      const fields = Object.entries(entry).flatMap(([name, value]) => [
        name,
        Array.isArray(value) ? value.join(',') : String(value),
      ]);
      const oldest = Math.max(0, clock() - retentionMs);
      await redis
        .multi()
        .xadd(key, 'MINID', '=', `${oldest}-0`, '*', ...fields)
        .pexpire(key, retentionMs)
        .exec()
        .then((replies) => {
          const failed = replies?.find(([err]) => err)?.[0];
          if (failed) throw failed;
        });
    },

    async recent(limit) {
      const oldest = clock() - retentionMs;
      const rows = await redis.xrevrange(key, '+', '-', 'COUNT', Math.max(1, Math.floor(limit)));
      return rows
        .map(([id, flat]) => {
          const fields: Record<string, string> = {};
          for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
          const ms = Number(id.split('-')[0]);
          const entry: Record<string, unknown> = { ...fields, id, at: new Date(ms).toISOString() };
          if ('keyIds' in fields) entry.keyIds = fields.keyIds ? fields.keyIds.split(',') : [];
          for (const n of ['transcripts', 'rateLimitEntries'])
            if (n in fields) entry[n] = Number(fields[n]);
          return { ms, entry: entry as StoredAuditEntry };
        })
        .filter(({ ms }) => ms >= oldest)
        .map(({ entry }) => entry);
    },
  };
}
