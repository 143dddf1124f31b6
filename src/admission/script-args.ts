/**
 * Pure builders for each script's KEYS/ARGV and parsers for its reply, so the contract with the
 * Lua files is unit-tested without Redis. The order here must match the header of each .lua file.
 */

export interface ScriptCall {
  keys: string[];
  args: (string | number)[];
}

/** '' tells the script to read Redis TIME; a number is the test-only time override. */
const timeArg = (nowMs: number | undefined): string | number =>
  nowMs === undefined ? '' : Math.floor(nowMs);

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function callIdArg(callId: string): string {
  if (callId === '') throw new Error('call id must not be empty');
  return callId;
}

export function consumeRateLimitArgs(opts: {
  key: string;
  callId: string;
  maxCalls: number;
  windowMs: number;
  nowMs?: number;
}): ScriptCall {
  return {
    keys: [opts.key],
    args: [
      callIdArg(opts.callId),
      positiveInt('maxCalls', opts.maxCalls),
      positiveInt('windowMs', opts.windowMs),
      timeArg(opts.nowMs),
    ],
  };
}

export function acquireLeaseArgs(opts: {
  key: string;
  callId: string;
  ttlMs: number;
  cap: number;
  nowMs?: number;
}): ScriptCall {
  return {
    keys: [opts.key],
    args: [
      callIdArg(opts.callId),
      positiveInt('ttlMs', opts.ttlMs),
      positiveInt('cap', opts.cap),
      timeArg(opts.nowMs),
    ],
  };
}

export function extendLeaseArgs(opts: {
  key: string;
  callId: string;
  ttlMs: number;
  nowMs?: number;
}): ScriptCall {
  return {
    keys: [opts.key],
    args: [callIdArg(opts.callId), positiveInt('ttlMs', opts.ttlMs), timeArg(opts.nowMs)],
  };
}

export function releaseLeaseArgs(opts: { key: string; callId: string }): ScriptCall {
  return { keys: [opts.key], args: [callIdArg(opts.callId)] };
}

function integers(reply: unknown, length: number, script: string): number[] {
  if (
    !Array.isArray(reply) ||
    reply.length !== length ||
    !reply.every((v) => typeof v === 'number')
  ) {
    throw new Error(`unexpected reply from ${script}: ${JSON.stringify(reply)}`);
  }
  return reply as number[];
}

export interface RateLimitResult {
  allowed: boolean;
  /** False when the call id was already in the log (a retry) or the call was refused. */
  added: boolean;
  callsInWindow: number;
  retryAfterMs: number;
}

export function parseRateLimitReply(reply: unknown): RateLimitResult {
  const [allowed, added, callsInWindow, retryAfterMs] = integers(reply, 4, 'consumeRateLimit');
  return {
    allowed: allowed === 1,
    added: added === 1,
    callsInWindow: callsInWindow!,
    retryAfterMs: Math.max(0, retryAfterMs!),
  };
}

export interface AcquireResult {
  acquired: boolean;
  liveLeases: number;
  retryAfterMs: number;
}

export function parseAcquireReply(reply: unknown): AcquireResult {
  const [acquired, liveLeases, retryAfterMs] = integers(reply, 3, 'acquireLease');
  return {
    acquired: acquired === 1,
    liveLeases: liveLeases!,
    retryAfterMs: Math.max(0, retryAfterMs!),
  };
}

export function parseFlagReply(reply: unknown, script: string): boolean {
  if (reply !== 0 && reply !== 1) {
    throw new Error(`unexpected reply from ${script}: ${JSON.stringify(reply)}`);
  }
  return reply === 1;
}
