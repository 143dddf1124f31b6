import { Hono } from 'hono';
import type { SwitchboardConfig } from '../config/index.js';
import type { Logger } from '../telemetry/index.js';
import type { MessageStore } from '../voicemail/index.js';
import { createCloudonixRoutes } from './cloudonix-routes.js';
import type { CallerPseudonymizer } from './pseudonymizer.js';
import { createTwilioRoutes } from './twilio-routes.js';

export interface CallflowAppOptions {
  /** The whole parsed config: profile, sip.host/sip.port and carriers are read. */
  config: SwitchboardConfig;
  pseudonymizer: CallerPseudonymizer;
  logger: Logger;
  /** Stores a message a Twilio caller leaves when nobody can take the call (`voicemail` config). */
  messages?: MessageStore;
}

/**
 * Carrier webhooks, to be mounted at the root of the control-plane HTTP server. A disabled
 * carrier has no routes, so its paths answer 404.
 */
export function createCallflowApp({
  config,
  pseudonymizer,
  logger,
  messages,
}: CallflowAppOptions): Hono {
  const { carriers, profile, sip } = config;
  const log = logger.child({ component: 'callflow' });
  const app = new Hono();
  if (carriers.twilio.enabled) {
    const host = sip.publicAddress.includes(':') ? `[${sip.publicAddress}]` : sip.publicAddress;
    // Pilot dials the TLS listener (sip.tls is required there); dev the plain one.
    const defaultSipDomain = `${host}:${profile === 'pilot' && sip.tls ? sip.tls.port : sip.port}`;
    app.route(
      '/',
      createTwilioRoutes({
        profile,
        defaultSipDomain,
        carriers,
        pseudonymizer,
        logger: log,
        voicemail: messages ? { config: config.voicemail, messages } : undefined,
      }),
    );
  }
  if (carriers.cloudonix.enabled) {
    app.route(
      '/',
      createCloudonixRoutes({
        cloudonix: carriers.cloudonix,
        maxBodyBytes: carriers.maxBodyBytes,
        pseudonymizer,
        logger: log,
      }),
    );
  }
  return app;
}
