import type { Redis } from 'ioredis';
import { parseCommand } from '../cli/args.js';
import type { Command } from '../cli/command.js';
import { EXIT } from '../cli/exit-codes.js';
import type { SwitchboardConfig } from '../config/index.js';
import { connectCommandRedis } from '../stack/index.js';
import { createOpeningHours } from './hours.js';
import { helpdeskOpen, writeOverride, type HelpdeskOverride } from './override.js';

const UNTIL_OPTION = { until: { type: 'string' } } as const;

/** Loads the config, connects to Redis, runs `action`; the Redis URL is never printed. */
async function withRedis(
  args: string[],
  options: typeof UNTIL_OPTION | Record<string, never>,
  action: (config: SwitchboardConfig, redis: Redis, until: string | undefined) => Promise<number>,
): Promise<number> {
  const parsed = parseCommand(args, options);
  if (parsed.positionals.length > 0) {
    process.stderr.write(`switchboard: unexpected argument "${parsed.positionals[0]}"\n`);
    return EXIT.error;
  }
  const until = typeof parsed.values.until === 'string' ? parsed.values.until : undefined;
  if (until !== undefined && !/^\d{4}-\d{2}-\d{2}T/.test(until)) {
    process.stderr.write(
      `switchboard: --until must be an ISO 8601 time with a zone, e.g. 2025-06-02T08:00:00+02:00 (got "${until}")\n`,
    );
    return EXIT.error;
  }
  const { config } = parsed.load();
  let redis: Redis;
  try {
    redis = await connectCommandRedis(config.redis.url, { commandTimeoutMs: 3000 });
  } catch (err) {
    process.stderr.write(`switchboard: ${(err as Error).message}\n`);
    return EXIT.error;
  }
  try {
    return await action(config, redis, until);
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

async function printStatus(config: SwitchboardConfig, redis: Redis): Promise<void> {
  const now = new Date();
  const hours = createOpeningHours(config.helpdesk);
  const state = await helpdeskOpen({
    hours,
    redis,
    prefix: config.privacy.keyPrefix,
    now,
    language: 'en',
    onRedisError: (err) => {
      throw err;
    },
  });
  const next = hours.nextOpening(now);
  process.stdout.write(
    `${JSON.stringify(
      {
        open: state.open,
        override: state.override ?? null,
        hours: hours.describe('en', now),
        ...(state.sentence ? { sentence: state.sentence } : {}),
        scheduleOpenNow: hours.isOpen(now),
        nextOpening: next ? next.toISOString() : null,
      },
      null,
      2,
    )}\n`,
  );
}

function setOverride(state: HelpdeskOverride['state']): Command['run'] {
  return (args) =>
    withRedis(args, UNTIL_OPTION, async (config, redis, until) => {
      try {
        await writeOverride(redis, config.privacy.keyPrefix, { state, until });
      } catch (err) {
        if (!(err instanceof RangeError)) throw err;
        process.stderr.write(`switchboard: --${err.message}\n`);
        return EXIT.error;
      }
      await printStatus(config, redis);
      return EXIT.ok;
    });
}

export const helpdeskCloseCommand: Command = {
  summary: 'close the helpdesk now, whatever the opening hours say [--until <ISO time>]',
  run: setOverride('closed'),
};

export const helpdeskOpenCommand: Command = {
  summary: 'open the helpdesk now, whatever the opening hours say [--until <ISO time>]',
  run: setOverride('open'),
};

export const helpdeskResumeCommand: Command = {
  summary: 'lift an open or close override: the opening hours decide again',
  run: (args) =>
    withRedis(args, {}, async (config, redis) => {
      await writeOverride(redis, config.privacy.keyPrefix, undefined);
      await printStatus(config, redis);
      return EXIT.ok;
    }),
};

export const helpdeskStatusCommand: Command = {
  summary: 'print whether the helpdesk is open now, its override and its hours as JSON',
  run: (args) =>
    withRedis(args, {}, async (config, redis) => {
      await printStatus(config, redis);
      return EXIT.ok;
    }),
};
