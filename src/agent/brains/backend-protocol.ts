import { z } from 'zod';
import { languageSchema } from '../../common/index.js';

/**
 * Wire messages between the agent and the customer's orchestrator. One WebSocket per call, JSON
 * text frames, snake_case fields. See docs/backend-protocol.md.
 *
 * Version 2 adds speculative turns (`user_turn.speculative`, `commit_turn`). It is negotiated:
 * `session_start` keeps `protocol: 1`, which every backend accepts, and offers `protocols`; the
 * backend picks one in `session_ready.protocol`. A backend that does not answer with 2 is spoken
 * to in version 1 and never sees a speculative turn.
 */
export const BACKEND_PROTOCOL_VERSION = 2;
/** The versions this agent speaks, offered in `session_start.protocols`. */
export const BACKEND_PROTOCOL_VERSIONS = [1, 2] as const;
/** What `session_start.protocol` says, unchanged since version 1 so v1 backends keep working. */
export const BACKEND_BASE_PROTOCOL = 1;

export const conversationalIntentSchema = z.enum(['answer', 'escalate', 'end']);
export type ConversationalIntent = z.infer<typeof conversationalIntentSchema>;

const language = languageSchema;
const id = z.string().min(1).max(128);

// Agent → backend.

export const sessionStartSchema = z.object({
  type: z.literal('session_start'),
  protocol: z.literal(BACKEND_BASE_PROTOCOL),
  /** v2: the versions the agent speaks; absent from v1 agents. */
  protocols: z.array(z.number().int().positive()).max(16).optional(),
  session_id: id,
  call_id: id,
  /** Keyed pseudonym of the caller's number (never the number), or null when withheld. */
  caller: z.string().min(1).max(128).nullable(),
  language,
  /** True when the agent reconnects to a session it started before. */
  resumed: z.boolean(),
});

export const userTurnSchema = z.object({
  type: z.literal('user_turn'),
  session_id: id,
  turn_id: id,
  text: z.string().max(10_000),
  language,
  /** v2: a provisional transcript; no side effects until `commit_turn`. Absent means committed. */
  speculative: z.boolean().optional(),
});

/** v2: the speculative turn is the caller's turn after all; apply its side effects now. */
export const commitTurnSchema = z.object({
  type: z.literal('commit_turn'),
  session_id: id,
  turn_id: id,
});

export const cancelTurnSchema = z.object({
  type: z.literal('cancel_turn'),
  session_id: id,
  turn_id: id,
});

export const sessionEndSchema = z.object({
  type: z.literal('session_end'),
  session_id: id,
  reason: z.enum(['hangup', 'transferred', 'ended', 'error']),
});

export const clientMessageSchema = z.discriminatedUnion('type', [
  sessionStartSchema,
  userTurnSchema,
  commitTurnSchema,
  cancelTurnSchema,
  sessionEndSchema,
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;
export type SessionEndReason = z.infer<typeof sessionEndSchema>['reason'];

// Backend → agent.

export const sessionReadySchema = z.object({
  type: z.literal('session_ready'),
  session_id: id,
  /** v2: the version the backend chose from `session_start.protocols`; absent means 1. */
  protocol: z.number().int().positive().optional(),
});

export const replyDeltaSchema = z.object({
  type: z.literal('reply_delta'),
  turn_id: id,
  text: z.string().max(10_000),
});

export const replyEndSchema = z.object({
  type: z.literal('reply_end'),
  turn_id: id,
  conversational_intent: conversationalIntentSchema,
  /** Optional last words, for backends that do not stream. */
  text: z.string().max(10_000).optional(),
  /** A wish only: the agent transfers to allowlisted targets and ignores anything else. */
  transfer_target: z.string().max(64).optional(),
});

export const backendErrorSchema = z.object({
  type: z.literal('error'),
  turn_id: id.optional(),
  code: z.string().max(64),
  message: z.string().max(1000).optional(),
});

export const serverMessageSchema = z.discriminatedUnion('type', [
  sessionReadySchema,
  replyDeltaSchema,
  replyEndSchema,
  backendErrorSchema,
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;

/** Parses one text frame; undefined when it is not valid JSON or not a known message. */
export function parseServerMessage(raw: string): ServerMessage | undefined {
  return parseWith(serverMessageSchema, raw);
}

export function parseClientMessage(raw: string): ClientMessage | undefined {
  return parseWith(clientMessageSchema, raw);
}

function parseWith<T>(schema: z.ZodType<T>, raw: string): T | undefined {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const result = schema.safeParse(json);
  return result.success ? result.data : undefined;
}
