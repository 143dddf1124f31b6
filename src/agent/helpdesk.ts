import type { Redis } from 'ioredis';
import type { SwitchboardConfig } from '../config/index.js';
import { createOpeningHours, helpdeskOpen } from '../helpdesk/index.js';
import type { Logger } from '../telemetry/index.js';
import type { Helpdesk } from './verbs/index.js';

/**
 * The helpdesk as the verbs see it: the configured schedule, overridden by an operator's
 * `switchboard helpdesk close|open`. A Redis failure leaves the schedule in charge.
 */
export function createHelpdesk(config: SwitchboardConfig, redis: Redis, logger: Logger): Helpdesk {
  const hours = createOpeningHours(config.helpdesk);
  return {
    status: (language) =>
      helpdeskOpen({
        hours,
        redis,
        prefix: config.privacy.keyPrefix,
        now: new Date(),
        language,
        onRedisError: (err) =>
          logger.warn({ err: String(err) }, 'helpdesk override unreadable; the schedule decides'),
      }),
    hours: async (language) => hours.describe(language, new Date()),
  };
}
