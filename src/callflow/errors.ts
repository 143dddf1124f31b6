import type { WebhookResult } from './metrics.js';

/** The one error type of the webhooks; the route edge maps it to a status and a metric result. */
export class WebhookError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 405 | 413 | 415,
    readonly result: WebhookResult,
    /** Static text for the response body: never echoes anything from the request. */
    message: string,
    /** `{ cause }` when this wraps another error (never sent in the response). */
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'WebhookError';
  }
}
