import type { Logger } from '../telemetry/index.js';
import type { VoicemailConfig } from './config.js';
import { isMessageId } from './keys.js';
import type { MessageStore } from './types.js';
import { MESSAGE_ID_HEADER, SIGNATURE_HEADER, signWebhook, webhookBody } from './webhook.js';

export interface WebhookDeliveryOptions {
  store: Pick<MessageStore, 'get' | 'undelivered' | 'recordDelivery'>;
  webhook: NonNullable<VoicemailConfig['webhook']>;
  logger: Logger;
  /** How often undelivered messages are swept; 0: never (tests call `sweep()`). Default 5 s. */
  sweepMs?: number;
  /** Attempts per message before it is left to the console; default 10 (about 40 minutes). */
  maxAttempts?: number;
  /** Wait after the n-th failed attempt: baseMs · 2^(n-1), at most maxMs. */
  backoff?: { baseMs: number; maxMs: number };
  /** Messages looked at per sweep. */
  batch?: number;
  clock?: () => number;
  fetch?: typeof fetch;
}

export interface WebhookDelivery {
  /** Delivers this message now (a new message's event); resolves once the attempt is recorded. */
  deliverSoon(id: string): Promise<void>;
  /** One pass over undelivered messages whose backoff has passed; resolves when done. */
  sweep(): Promise<void>;
  /** Stops the sweep, aborts a request in flight, and waits for the pass to end. */
  stop(): Promise<void>;
}

const DEFAULTS = {
  sweepMs: 5000,
  maxAttempts: 10,
  backoff: { baseMs: 5000, maxMs: 10 * 60_000 },
  batch: 50,
};

/**
 * Pushes new voicemail messages to `voicemail.webhook`, signed (see webhook.ts). Nothing is lost
 * when the control plane restarts or the receiver is down: every pass reads the store's
 * undelivered messages, and a failed one is retried with exponential backoff up to maxAttempts.
 * One request at a time, each bounded by webhook.timeoutMs.
 */
export function startWebhookDelivery(opts: WebhookDeliveryOptions): WebhookDelivery {
  const { store, webhook, logger } = opts;
  const clock = opts.clock ?? Date.now;
  const post = opts.fetch ?? fetch;
  const maxAttempts = opts.maxAttempts ?? DEFAULTS.maxAttempts;
  const backoff = opts.backoff ?? DEFAULTS.backoff;
  const batch = opts.batch ?? DEFAULTS.batch;
  const host = new URL(webhook.url).host;
  /** When each failed message may be tried again (ms); bounded by the undelivered batch. */
  const retryAt = new Map<string, number>();
  const gaveUp = new Set<string>();
  let stopped = false;
  let inFlight: AbortController | undefined;
  /** Passes run one after another. */
  let chain: Promise<void> = Promise.resolve();

  const attempt = async (id: string): Promise<void> => {
    if (stopped || (retryAt.get(id) ?? 0) > clock() || gaveUp.has(id)) return;
    const message = await store.get(id);
    if (message === undefined || message.webhook.deliveredAt !== null) {
      retryAt.delete(id);
      return;
    }
    if (message.webhook.attempts >= maxAttempts) {
      retryAt.delete(id);
      gaveUp.add(id);
      logger.warn(
        { messageId: id, attempts: message.webhook.attempts },
        'webhook delivery given up',
      );
      return;
    }
    const n = message.webhook.attempts + 1;
    const body = webhookBody(message);
    inFlight = new AbortController();
    const timeout = AbortSignal.timeout(webhook.timeoutMs);
    let status: number | undefined;
    let error: string | undefined;
    try {
      const res = await post(webhook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signWebhook(webhook.secret, body, clock() / 1000),
          [MESSAGE_ID_HEADER]: id,
        },
        body,
        signal: AbortSignal.any([inFlight.signal, timeout]),
        redirect: 'error',
      });
      status = res.status;
      await res.body?.cancel();
    } catch (err) {
      error = timeout.aborted ? 'timeout' : err instanceof Error ? err.name : 'error';
    } finally {
      inFlight = undefined;
    }
    const delivered = status !== undefined && status >= 200 && status < 300;
    await store.recordDelivery(id, delivered);
    if (delivered) {
      retryAt.delete(id);
      logger.info({ messageId: id, status, attempt: n }, 'webhook delivered');
      return;
    }
    const waitMs = Math.min(backoff.baseMs * 2 ** (n - 1), backoff.maxMs);
    retryAt.set(id, clock() + waitMs);
    logger.warn(
      {
        messageId: id,
        host,
        status,
        error,
        attempt: n,
        retryInMs: n < maxAttempts ? waitMs : null,
      },
      'webhook delivery failed',
    );
  };

  const run = (pass: () => Promise<void>): Promise<void> => {
    const next = chain.then(async () => {
      if (stopped) return;
      try {
        await pass();
      } catch (err) {
        // Redis down or the like: the next pass tries again.
        logger.warn({ err: err instanceof Error ? err.name : 'error' }, 'webhook pass failed');
      }
    });
    chain = next;
    return next;
  };

  const sweep = () =>
    run(async () => {
      const ids = await store.undelivered(batch + gaveUp.size);
      // Forget messages that were delivered, erased or expired meanwhile.
      for (const key of retryAt.keys()) if (!ids.includes(key)) retryAt.delete(key);
      for (const key of gaveUp) if (!ids.includes(key)) gaveUp.delete(key);
      for (const id of ids) {
        if (stopped) return;
        await attempt(id);
      }
    });

  const timer =
    (opts.sweepMs ?? DEFAULTS.sweepMs) > 0
      ? setInterval(() => void sweep(), opts.sweepMs ?? DEFAULTS.sweepMs)
      : undefined;
  timer?.unref();

  return {
    deliverSoon: (id) => (isMessageId(id) ? run(() => attempt(id)) : Promise.resolve()),
    sweep,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      inFlight?.abort();
      await chain;
    },
  };
}
