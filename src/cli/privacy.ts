import type { Redis } from 'ioredis';
import { eraseCallerRateLimit, pseudonymizerFromConfig } from '../admission/index.js';
import type { SwitchboardConfig } from '../config/index.js';
import {
  createTranscriptStore,
  eraseCaller,
  exportCaller,
  NotAPhoneNumberError,
  type TranscriptStore,
} from '../privacy/index.js';
import { connectCommandRedis } from '../stack/index.js';
import { createLogger } from '../telemetry/index.js';
import { createMessageStore, type MessageStore } from '../voicemail/index.js';
import { parseCommand } from './args.js';
import type { Command } from './command.js';
import { EXIT } from './exit-codes.js';

const CALLER_OPTION = { caller: { type: 'string' } } as const;

interface Session {
  config: SwitchboardConfig;
  redis: Redis;
  store: TranscriptStore;
  messages: MessageStore;
}

/** Connects to the deployment's Redis; the URL is never printed, it may carry a password. */
async function openSession(config: SwitchboardConfig): Promise<Session> {
  const redis = await connectCommandRedis(config.redis.url);
  // Warnings only, on stderr: stdout carries the receipt or the export.
  const logger = createLogger({ level: 'warn', name: 'switchboard-privacy' }, process.stderr);
  const store = createTranscriptStore({ redis, config: config.privacy, logger });
  const messages = createMessageStore({
    redis,
    privacy: config.privacy,
    voicemail: config.voicemail,
    logger,
  });
  return { config, redis, store, messages };
}

/** Parses `--caller`, runs the action against Redis, prints its JSON; the number is never echoed. */
async function withCaller(
  args: string[],
  usage: string,
  action: (session: Session, number: string) => Promise<unknown>,
): Promise<number> {
  const parsed = parseCommand(args, CALLER_OPTION);
  const number = parsed.values.caller;
  if (typeof number !== 'string' || number.trim() === '') {
    process.stderr.write(`switchboard: ${usage}\n`);
    return EXIT.error;
  }
  const session = await openSession(parsed.load().config);
  try {
    const result = await action(session, number);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof NotAPhoneNumberError) {
      process.stderr.write(`switchboard: ${err.message}\n`);
      return EXIT.error;
    }
    throw err;
  } finally {
    await session.redis.quit().catch(() => session.redis.disconnect());
  }
}

export const privacyEraseCommand: Command = {
  summary:
    "erase a caller's transcripts, voicemail messages, callback numbers and rate-limit entries (GDPR); prints a receipt",
  run: (args) =>
    withCaller(args, 'usage: switchboard privacy erase --caller <number>', (session, number) =>
      eraseCaller({
        number,
        pseudonymizer: pseudonymizerFromConfig(session.config.admission),
        store: session.store,
        messages: session.messages,
        eraseRateLimit: (pseudonyms) =>
          eraseCallerRateLimit(session.redis, session.config.admission, pseudonyms),
      }),
    ),
};

export const privacyExportCommand: Command = {
  summary:
    "print a caller's stored transcripts and voicemail messages as JSON (GDPR access request)",
  run: (args) =>
    withCaller(args, 'usage: switchboard privacy export --caller <number>', (session, number) =>
      exportCaller({
        number,
        pseudonymizer: pseudonymizerFromConfig(session.config.admission),
        store: session.store,
        messages: session.messages,
      }),
    ),
};
