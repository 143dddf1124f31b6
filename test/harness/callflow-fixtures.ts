/**
 * Shared by the callflow tests. Every number here is fictional (+32 2 555 01xx); the ids only
 * have the right shape.
 */
import type { Hono } from 'hono';
import { createPseudonymizer } from '../../src/admission/index.js';
import { parseConfig, type SwitchboardConfig } from '../../src/config/index.js';
import { createLogger, type Logger } from '../../src/telemetry/index.js';
import type { MessageStore } from '../../src/voicemail/index.js';
import {
  carriersConfigSchema,
  computeTwilioSignature,
  createCallflowApp,
  type FormParams,
} from '../../src/callflow/index.js';

export const ACCOUNT_SID = 'ACf0e1d2c3b4a5968778695a4b3c2d1e0f';
export const CALL_SID = 'CAa1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';
export const AUTH_TOKEN = 'test-auth-token-0123456789abcdef';
export const PUBLIC_URL = 'https://switchboard.example.org';
export const CLOUDONIX_SECRET = 'test-cloudonix-secret-0123456789';
export const CALLER = '+3225550142';
export const DIALLED = '+3225550100';
export const HELPDESK = '+3225550199';
/** Where requests arrive in-process: plain http on the bind address, as behind a TLS proxy. */
export const LOCAL_BASE = 'http://127.0.0.1:8080';

export const pseudonymizer = createPseudonymizer({
  keys: [{ id: 'k1', secret: 'callflow-test-key' }],
  region: 'BE',
});

export function testConfig(
  profile: 'dev' | 'pilot',
  twilio: Record<string, unknown> = {},
  carriers: Record<string, unknown> = {},
): SwitchboardConfig {
  // Only our slice is parsed for the profile: other capabilities' pilot rules (TLS files, strong
  // trunk passwords) are theirs to test.
  const carriersSlice = carriersConfigSchema.parse({
    twilio: {
      enabled: true,
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      publicUrl: PUBLIC_URL,
      helpdeskNumber: HELPDESK,
      ...(profile === 'pilot' ? { sipDomain: 'sip.example.org:5061' } : {}),
      ...twilio,
    },
    cloudonix: {
      enabled: true,
      providerAlias: 'switchboard_lk',
      secret: CLOUDONIX_SECRET,
      destinationNumber: DIALLED,
    },
    ...carriers,
  });
  return { ...parseConfig({}), profile, carriers: carriersSlice };
}

export interface TestApp {
  app: Hono;
  /** Every log line written, as parsed JSON objects and raw text. */
  logs: () => string;
  logger: Logger;
}

/** `messages`: the store a Twilio caller's message goes to (no store: no message is offered). */
export function testApp(config: SwitchboardConfig, messages?: MessageStore): TestApp {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug' }, { write: (line: string) => lines.push(line) });
  return {
    app: createCallflowApp({ config, pseudonymizer, logger, messages }),
    logs: () => lines.join(''),
    logger,
  };
}

export function callParams(extra: FormParams = {}): FormParams {
  return {
    AccountSid: ACCOUNT_SID,
    CallSid: CALL_SID,
    From: CALLER,
    To: DIALLED,
    Caller: CALLER,
    Called: DIALLED,
    CallStatus: 'ringing',
    Direction: 'inbound',
    ApiVersion: '2010-04-01',
    ...extra,
  };
}

export function formBody(params: FormParams): string {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
  }
  return body.toString();
}

export interface TwilioRequestOptions {
  /** Path and query as sent, e.g. `/twilio/dial-status?leg=agent`. */
  path: string;
  params?: FormParams;
  /** URL the signature is computed over; default: the public URL of `path`. */
  signFor?: string;
  /** Replace the computed signature; null sends none. */
  signature?: string | null;
  authToken?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export async function twilioRequest(app: Hono, opts: TwilioRequestOptions): Promise<Response> {
  const params = opts.params ?? callParams();
  const signature =
    opts.signature === undefined
      ? computeTwilioSignature(
          opts.authToken ?? AUTH_TOKEN,
          // The URL as a client puts it on the wire (WHATWG-normalised query).
          opts.signFor ?? new URL(`${PUBLIC_URL}${opts.path}`).href,
          params,
        )
      : opts.signature;
  const method = opts.method ?? 'POST';
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    // A Host that differs from the public URL: it must play no part in validation.
    host: 'internal-proxy.local:8080',
    ...(signature === null ? {} : { 'x-twilio-signature': signature }),
    ...opts.headers,
  };
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return app.request(`${LOCAL_BASE}${opts.path}`, {
    method,
    headers,
    body: hasBody ? (opts.body ?? formBody(params)) : undefined,
  });
}

export async function cloudonixRequest(
  app: Hono,
  opts: {
    params?: FormParams;
    authorization?: string | null;
    headers?: Record<string, string>;
  } = {},
): Promise<Response> {
  const authorization =
    opts.authorization === undefined ? `Bearer ${CLOUDONIX_SECRET}` : opts.authorization;
  return app.request(`${LOCAL_BASE}/cloudonix/voice`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(authorization === null ? {} : { authorization }),
      ...opts.headers,
    },
    body: formBody(opts.params ?? { CallSid: 'cx-0001', From: CALLER, To: DIALLED }),
  });
}
