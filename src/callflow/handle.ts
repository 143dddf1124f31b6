import type { Context } from 'hono';
import type { Logger } from '../telemetry/index.js';
import { WebhookError } from './errors.js';
import { webhookRequests, type WebhookResult, type WebhookRoute } from './metrics.js';

export interface Served {
  xml: string;
  result: WebhookResult;
}

/**
 * The HTTP edge of every webhook: an XML document on success, a static status text on a
 * WebhookError, a bare 500 otherwise. Each request is counted once.
 */
export function webhookHandler(
  route: WebhookRoute,
  logger: Logger,
  serve: (c: Context) => Promise<Served>,
): (c: Context) => Promise<Response> {
  return async (c) => {
    try {
      const { xml, result } = await serve(c);
      webhookRequests.inc({ route, result });
      return c.body(xml, 200, { 'content-type': 'text/xml; charset=utf-8' });
    } catch (err) {
      if (err instanceof WebhookError) {
        webhookRequests.inc({ route, result: err.result });
        logger.warn({ route, result: err.result, status: err.status }, 'webhook request refused');
        const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
        if (err.status === 405) headers.allow = 'POST';
        if (err.status === 401) headers['www-authenticate'] = 'Bearer realm="switchboard"';
        return c.body(err.message, err.status, headers);
      }
      webhookRequests.inc({ route, result: 'error' });
      logger.error({ route, err: err instanceof Error ? err.name : 'unknown' }, 'webhook failed');
      return c.body('internal error', 500, { 'content-type': 'text/plain; charset=utf-8' });
    }
  };
}
