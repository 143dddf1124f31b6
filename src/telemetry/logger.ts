import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Keys that may carry personal data. pino replaces their values before a line is written, so a
 * caller's number that reaches a log call by mistake never reaches the log.
 */
export const PII_KEYS = [
  'phoneNumber',
  'phone',
  'from',
  'to',
  'caller',
  'callerNumber',
  'number',
  'From',
  'To',
  'Caller',
  'Called',
  'sip.phoneNumber',
  'text',
  'transcript',
  'password',
  'authPassword',
  'apiSecret',
  'authToken',
];

/** Top-level and one level deep: `{ from }` and `{ call: { from } }`. */
const REDACT_PATHS = PII_KEYS.flatMap((key) => {
  const segment = key.includes('.') ? `["${key}"]` : `.${key}`;
  return [segment.startsWith('.') ? key : segment, `*${segment}`];
});

export function createLogger(
  opts: { level?: string; name?: string } = {},
  destination?: pino.DestinationStream,
): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? 'info',
    name: opts.name ?? 'switchboard',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
