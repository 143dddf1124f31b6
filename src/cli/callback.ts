import { pseudonymizerFromConfig } from '../admission/index.js';
import { connectCommandRedis } from '../stack/index.js';
import { createLogger } from '../telemetry/index.js';
import { CallbackError, placeCallback, type CallbackResult } from '../voicemail/callback.js';
import { createMessageStore, isMessageId, type CallbackState } from '../voicemail/index.js';
import { parseCommand } from './args.js';
import type { Command } from './command.js';
import { EXIT } from './exit-codes.js';

const USAGE = 'usage: switchboard callback <message id> [--wait <seconds>] [--json]';

/** States after which nothing changes without a new callback. */
const SETTLED: ReadonlySet<CallbackState> = new Set(['answered', 'machine', 'no_answer', 'failed']);

const DESCRIBE: Record<CallbackState, string> = {
  none: 'no callback requested',
  requested: 'callback requested',
  dialing: 'picked up; the agent has not reported yet',
  answered: 'answered: the agent is talking with the caller',
  machine: 'an answering machine picked up; the number is kept for another try',
  no_answer: 'no answer',
  failed: 'the call could not be placed',
};

/**
 * `switchboard callback <id>`: dials the caller of a message back (with their consent) and
 * prints how it went. Waits up to `--wait` seconds (default 20) after the pick-up for the agent
 * to tell a person from an answering machine. Never prints the number.
 * Exit 0 when the call connected (answered, machine, or still deciding), 1 otherwise.
 */
export const callbackCommand: Command = {
  summary: 'call the caller of a voicemail message back (needs their consent); prints the outcome',
  async run(args) {
    const parsed = parseCommand(args, { wait: { type: 'string' }, json: { type: 'boolean' } });
    const [messageId, ...extra] = parsed.positionals;
    const waitText = parsed.values.wait;
    const waitS = typeof waitText === 'string' ? Number(waitText) : 20;
    if (!messageId || extra.length > 0 || !Number.isFinite(waitS) || waitS < 0) {
      process.stderr.write(`switchboard: ${USAGE}\n`);
      return EXIT.error;
    }
    if (!isMessageId(messageId)) {
      process.stderr.write(
        `switchboard: "${messageId}" is not a message id (vm_ and 24 hex digits; switchboard messages lists them)\n`,
      );
      return EXIT.error;
    }
    const { config } = parsed.load();
    const redis = await connectCommandRedis(config.redis.url);
    // Warnings only, on stderr: stdout carries the outcome.
    const logger = createLogger({ level: 'warn', name: 'switchboard-callback' }, process.stderr);
    try {
      const store = createMessageStore({
        redis,
        privacy: config.privacy,
        voicemail: config.voicemail,
        logger,
        pseudonymizer: pseudonymizerFromConfig(config.admission),
      });
      let result: CallbackResult;
      try {
        result = await placeCallback({ config, store, messageId, logger });
      } catch (err) {
        if (err instanceof CallbackError) {
          process.stderr.write(`switchboard: ${err.message}\n`);
          return EXIT.error;
        }
        throw err;
      }
      let state: CallbackState = result.state;
      const until = Date.now() + waitS * 1000;
      while (!SETTLED.has(state) && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 250));
        state = (await store.get(messageId))?.callback.state ?? state;
      }
      const sip = result.sipStatusCode !== undefined ? ` (SIP ${result.sipStatusCode})` : '';
      if (parsed.values.json === true) {
        const out = { messageId, state, room: result.room, sipStatusCode: result.sipStatusCode };
        process.stdout.write(`${JSON.stringify(out)}\n`);
      } else {
        process.stdout.write(`${messageId}: ${state}${sip}: ${DESCRIBE[state]}\n`);
      }
      return state === 'no_answer' || state === 'failed' ? EXIT.error : EXIT.ok;
    } finally {
      await redis.quit().catch(() => redis.disconnect());
    }
  },
};
