import type { Context } from 'hono';
import type { Redis } from 'ioredis';
import type { SwitchboardConfig } from '../config/index.js';
import type { TranscriptStore } from '../privacy/index.js';
import type { ReconcilerStatus } from '../provisioning/index.js';
import type { CallEventsView } from '../telemetry/call-events.js';
import type { Logger } from '../telemetry/index.js';
import type { OpeningHours } from '../helpdesk/index.js';
import type { CallbackState, MessageStore } from '../voicemail/index.js';
import type { AuditLog } from './audit-log.js';
import type { LoginThrottle } from './login-throttle.js';
import type { ConsoleSession, SessionStore } from './sessions.js';

export interface ConsoleDeps {
  config: SwitchboardConfig;
  logger: Logger;
  /** ioredis, shared by the control plane (commandTimeout 2 s). */
  redis: Redis;
  events: CallEventsView;
  provisioning: () => ReconcilerStatus;
  /** Voicemail messages; default: the store on `redis`. */
  messages?: MessageStore;
  /**
   * Dials a consented caller back (`placeCallback` of src/voicemail/callback.ts by default);
   * tests pass a recording function.
   */
  placeCallback?: PlaceCallback;
}

export type PlaceCallback = (opts: {
  config: SwitchboardConfig;
  store: MessageStore;
  messageId: string;
  logger: Logger;
}) => Promise<{ state: CallbackState }>;

/** What the route modules share, built once by createConsole. */
export interface ConsoleParts extends ConsoleDeps {
  clock: () => number;
  sessions: SessionStore;
  throttle: LoginThrottle;
  audit: AuditLog;
  store: TranscriptStore;
  messages: MessageStore;
  placeCallback: PlaceCallback;
  hours: OpeningHours;
}

export type ConsoleEnv = {
  Variables: { session: ConsoleSession & { id: string } };
};

export type ConsoleContext = Context<ConsoleEnv>;

export const SESSION_COOKIE = 'sb-console';
export const LOGIN_COOKIE = 'sb-console-login';

/** The TCP peer: behind a reverse proxy that is the proxy, so throttling counts it as one source. */
export function sourceAddress(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}
