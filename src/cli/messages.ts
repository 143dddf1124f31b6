import type { SwitchboardConfig } from '../config/index.js';
import { scrubPhoneNumbers } from '../privacy/index.js';
import { connectCommandRedis } from '../stack/index.js';
import { createLogger } from '../telemetry/index.js';
import {
  createMessageStore,
  isMessageId,
  type MessageStore,
  type VoicemailMessage,
} from '../voicemail/index.js';
import { parseCommand } from './args.js';
import type { Command } from './command.js';
import { EXIT } from './exit-codes.js';

const LIST_USAGE = 'usage: switchboard messages list [--limit <1-1000>] [--json]';
const SHOW_USAGE = 'usage: switchboard messages show <vm_id>';

/** Connects to the deployment's Redis; the URL is never printed, it may carry a password. */
async function withStore(
  config: SwitchboardConfig,
  action: (store: MessageStore) => Promise<number>,
): Promise<number> {
  const redis = await connectCommandRedis(config.redis.url);
  const logger = createLogger({ level: 'warn', name: 'switchboard-messages' }, process.stderr);
  try {
    return await action(
      createMessageStore({ redis, privacy: config.privacy, voicemail: config.voicemail, logger }),
    );
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

/** Text is scrubbed when stored; scrubbed again here so no number is ever printed. */
const safe = (message: VoicemailMessage): VoicemailMessage => ({
  ...message,
  text: scrubPhoneNumbers(message.text),
});

function line(m: VoicemailMessage): string {
  const callback = m.callback.state === 'none' ? '-' : m.callback.state;
  const webhook = m.webhook.deliveredAt ? 'delivered' : m.webhook.attempts > 0 ? 'failing' : '-';
  const text = m.text.length > 60 ? `${m.text.slice(0, 59)}…` : m.text;
  return [m.id, m.createdAt.slice(0, 19) + 'Z', m.language, m.reason, callback, webhook, text].join(
    '  ',
  );
}

export const messagesListCommand: Command = {
  summary: 'list the newest voicemail messages (text only; never a number)',
  async run(args) {
    const parsed = parseCommand(args, { limit: { type: 'string' }, json: { type: 'boolean' } });
    const limit = parsed.values.limit === undefined ? 20 : Number(parsed.values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000 || parsed.positionals.length > 0) {
      process.stderr.write(`switchboard: ${LIST_USAGE}\n`);
      return EXIT.error;
    }
    return withStore(parsed.load().config, async (store) => {
      const messages = (await store.recent(limit)).map(safe);
      if (parsed.values.json === true) {
        process.stdout.write(`${JSON.stringify(messages, null, 2)}\n`);
      } else if (messages.length === 0) {
        process.stdout.write('no messages\n');
      } else {
        const header = ['id', 'created', 'lang', 'reason', 'callback', 'webhook', 'text'];
        process.stdout.write(`${[header.join('  '), ...messages.map(line)].join('\n')}\n`);
      }
      return EXIT.ok;
    });
  },
};

export const messagesShowCommand: Command = {
  summary: 'print one voicemail message as JSON (never the callback number)',
  async run(args) {
    const parsed = parseCommand(args, {});
    const [id, ...rest] = parsed.positionals;
    if (id === undefined || rest.length > 0 || !isMessageId(id)) {
      process.stderr.write(`switchboard: ${SHOW_USAGE}\n`);
      return EXIT.error;
    }
    return withStore(parsed.load().config, async (store) => {
      const message = await store.get(id);
      if (message === undefined) {
        process.stderr.write(
          `switchboard: no message ${id}: it expired, was erased, or never existed\n`,
        );
        return EXIT.error;
      }
      process.stdout.write(`${JSON.stringify(safe(message), null, 2)}\n`);
      return EXIT.ok;
    });
  },
};
