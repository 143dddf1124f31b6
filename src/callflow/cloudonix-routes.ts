import { Hono, type Context } from 'hono';
import type { Logger } from '../telemetry/index.js';
import { cloudonixAuthorized } from './cloudonix-auth.js';
import type { CloudonixConfig } from './config.js';
import { serviceCxml } from './cxml.js';
import { WebhookError } from './errors.js';
import { webhookHandler, type Served } from './handle.js';
import type { CallerPseudonymizer } from './pseudonymizer.js';
import { parseForm, readLimitedText, requireForm, requirePost } from './request.js';

export const CLOUDONIX_ROUTES = { voice: '/cloudonix/voice' } as const;

export interface CloudonixRoutesOptions {
  cloudonix: CloudonixConfig;
  maxBodyBytes: number;
  pseudonymizer: CallerPseudonymizer;
  logger: Logger;
}

export function createCloudonixRoutes(opts: CloudonixRoutesOptions): Hono {
  const { maxBodyBytes, pseudonymizer, logger } = opts;
  const { providerAlias, secret, destinationNumber } = opts.cloudonix;
  if (providerAlias === undefined || secret === undefined || destinationNumber === undefined) {
    throw new Error(
      'carriers.cloudonix is enabled but providerAlias, secret or destinationNumber is missing',
    );
  }
  // The document depends on config only: no caller value is ever echoed into it.
  const document = serviceCxml({ providerAlias, number: destinationNumber });

  /** Order: method 405, secret 401 (before reading the body), type 415, size 413. */
  async function voice(c: Context): Promise<Served> {
    requirePost(c.req.raw);
    if (!cloudonixAuthorized(c.req.header('authorization'), secret!)) {
      throw new WebhookError(401, 'unauthorized', 'missing or wrong credentials');
    }
    requireForm(c.req.raw);
    const params = parseForm(await readLimitedText(c.req.raw, maxBodyBytes));
    const from = params.From;
    const callerPseudonym = typeof from === 'string' ? pseudonymizer.pseudonymize(from) : undefined;
    logger.info(
      { route: 'cloudonix_voice', callerPseudonym },
      'cloudonix call routed to the service provider',
    );
    return { xml: document, result: 'ok' };
  }

  const app = new Hono();
  app.all(CLOUDONIX_ROUTES.voice, webhookHandler('cloudonix_voice', logger, voice));
  return app;
}
