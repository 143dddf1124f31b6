import type { Hono } from 'hono';
import { helpdeskOpen } from '../helpdesk/index.js';
import { CallbackError } from '../voicemail/callback.js';
import { isMessageId } from '../voicemail/index.js';
import type { ConsoleContext, ConsoleEnv, ConsoleParts } from './context.js';
import type { Html } from './views/layout.js';
import {
  CALLABLE,
  messagesPage,
  type HelpdeskView,
  type MessagesPageOptions,
} from './views/messages.js';

const RECENT_MESSAGES = 50;

export type ShowPage = (
  c: ConsoleContext,
  title: string,
  body: Html,
  status?: 200 | 400 | 404 | 409 | 503,
) => Response | Promise<Response>;

/** The Messages page: the helpdesk's state, recent messages, and the call-back button. */
export function mountMessagePages(
  app: Hono<ConsoleEnv>,
  parts: ConsoleParts,
  show: ShowPage,
): void {
  const { messages, audit, logger, config, clock } = parts;

  const helpdesk = async (): Promise<HelpdeskView | undefined> => {
    const now = new Date(clock());
    let redisFailed = false;
    const state = await helpdeskOpen({
      hours: parts.hours,
      redis: parts.redis,
      prefix: config.privacy.keyPrefix,
      now,
      language: 'en',
      onRedisError: () => {
        redisFailed = true;
      },
    });
    if (redisFailed) return undefined;
    return {
      open: state.open,
      override: state.override,
      hours: parts.hours.describe('en', now),
      closedSentence: state.sentence,
    };
  };

  const render = async (
    c: ConsoleContext,
    notice?: MessagesPageOptions['notice'],
    status: 200 | 400 | 404 | 409 = 200,
  ) => {
    const recent = await messages.recent(RECENT_MESSAGES).catch((err: unknown) => {
      logger.warn({ err }, 'console: messages not readable');
      return undefined;
    });
    const body = messagesPage({
      csrfToken: c.get('session').csrfToken,
      helpdesk: await helpdesk(),
      messages: recent,
      notice,
    });
    return show(c, 'Messages', body, status);
  };

  app.get('/messages', (c) => render(c));

  app.post('/messages/:id/callback', async (c) => {
    const messageId = c.req.param('id');
    const operator = c.get('session').user;
    const message = isMessageId(messageId) ? await messages.get(messageId) : undefined;
    if (!message)
      return render(
        c,
        { kind: 'error', text: 'No such message: it may have expired or been erased.' },
        404,
      );
    if (!CALLABLE.has(message.callback.state))
      return render(
        c,
        {
          kind: 'error',
          text: `Message ${messageId} cannot be called back: its callback is ${message.callback.state}.`,
        },
        409,
      );
    let state: string;
    try {
      ({ state } = await parts.placeCallback({ config, store: messages, messageId, logger }));
    } catch (err) {
      if (!(err instanceof CallbackError)) throw err;
      logger.warn({ user: operator, messageId, reason: err.reason }, 'console callback refused');
      return render(c, { kind: 'error', text: err.message }, 409);
    }
    logger.info({ user: operator, messageId, state }, 'console callback placed');
    // The call was placed; a missing audit entry must not hide its result from the operator.
    await audit
      .write({ action: 'callback_placed', operator, messageId, state })
      .catch((err: unknown) =>
        logger.error({ err, user: operator }, 'console audit entry not written'),
      );
    const outcome =
      state === 'dialing'
        ? 'the caller picked up; the agent is talking to them'
        : `callback ${state}`;
    return render(c, { kind: 'ok', text: `Message ${messageId}: ${outcome}.` });
  });
}
