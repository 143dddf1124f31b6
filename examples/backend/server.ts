/**
 * A small reference backend ("orchestrator") for Switchboard's `backend` brain, protocols v1 and
 * v2 (docs/backend-protocol.md). It checks the bearer token, keeps one session per call, and
 * answers each `user_turn` with streamed `reply_delta` messages and a `reply_end`: from a
 * script when given one, otherwise from simple keyword rules. It returns `escalate` when the
 * caller asks for a human and `end` on goodbye.
 *
 * In v2 it answers speculative turns at once but records a turn as committed (its only "side
 * effect") on `commit_turn`; a cancelled or superseded speculative turn is never committed.
 *
 * Run it: BACKEND_TOKEN=secret npx tsx examples/backend/server.ts --port 8090
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  BACKEND_PROTOCOL_VERSIONS,
  parseClientMessage,
  type ClientMessage,
  type ConversationalIntent,
} from '../../src/agent/brains/backend-protocol.js';

type Language = 'nl' | 'fr' | 'en' | 'de';

/** One scripted answer per turn: text and intent, or a misbehaviour for tests. */
export type ExampleReply =
  | { text: string; intent?: ConversationalIntent; transferTarget?: string }
  /** Never answer this turn (the agent's turn timeout fires). */
  | { stall: true }
  /** Drop the connection when this turn arrives. */
  | { drop: true };

export interface ExampleBackendOptions {
  token: string;
  port?: number;
  script?: ExampleReply[];
  /** Before the first delta of a reply. */
  replyDelayMs?: number;
  /** Between deltas. */
  deltaIntervalMs?: number;
  /** The versions it speaks (default 1 and 2); `[1]` makes it a v1 backend. */
  protocols?: number[];
  /** Answers turns when the script is empty (default: the keyword rules, `ruleReply`). */
  reply?: (text: string, language: Language) => ExampleReply;
}

export interface TurnRecord {
  sessionId: string;
  turnId: string;
  text: string;
  language: Language;
  cancelled: boolean;
  /** The user_turn said `speculative: true`. */
  speculative: boolean;
  /** The turn counts: a plain turn at once, a speculative one on `commit_turn`. */
  committed: boolean;
  /** From the speculative user_turn to its commit_turn. */
  commitDelayMs?: number;
}

export interface ExampleBackend {
  url: string;
  port: number;
  readonly connections: number;
  /** Upgrades refused for a bad or missing token. */
  readonly rejected: number;
  sessions: Array<{
    sessionId: string;
    callId: string;
    caller: string | null;
    resumed: boolean;
    ended?: string;
  }>;
  turns: TurnRecord[];
  /** Every valid message the agent sent, in order. */
  messages: ClientMessage[];
  /** Replaces the remaining scripted replies. */
  setScript(replies: ExampleReply[]): void;
  stop(): Promise<void>;
}

const HUMAN =
  /\b(human|person|someone|operator|agent)\b|\bmens\b|medewerker|quelqu'un|humain|conseiller|\bmensch|mitarbeiter/i;
const GOODBYE = /\b(goodbye|bye)\b|tot ziens|au revoir|auf wiedersehen|tschüss/i;
const HOURS = /\bhours\b|\bopen\b|openingsuren|\bopen\b|horaires|ouvert|öffnungszeiten|geöffnet/i;

const SAY: Record<'transfer' | 'goodbye' | 'hours' | 'other', Record<Language, string>> = {
  transfer: {
    nl: 'Ik verbind u door met een medewerker.',
    fr: 'Je vous passe un collègue.',
    en: 'I will put you through to a colleague.',
    de: 'Ich verbinde Sie mit einem Mitarbeiter.',
  },
  goodbye: { nl: 'Tot ziens.', fr: 'Au revoir.', en: 'Goodbye.', de: 'Auf Wiedersehen.' },
  hours: {
    nl: 'De helpdesk is open op weekdagen van acht tot achttien uur.',
    fr: 'Le helpdesk est ouvert en semaine de huit à dix-huit heures.',
    en: 'The helpdesk is open on weekdays from eight to six.',
    de: 'Der Helpdesk ist werktags von acht bis achtzehn Uhr geöffnet.',
  },
  other: {
    nl: 'Dank u. Kan ik u nog ergens mee helpen?',
    fr: 'Merci. Puis-je vous aider pour autre chose?',
    en: 'Thank you. Is there anything else I can help with?',
    de: 'Danke. Kann ich Ihnen sonst noch helfen?',
  },
};

/** The rules used when there is no script. */
export function ruleReply(
  text: string,
  language: Language,
): { text: string; intent: ConversationalIntent } {
  if (HUMAN.test(text)) return { text: SAY.transfer[language], intent: 'escalate' };
  if (GOODBYE.test(text)) return { text: SAY.goodbye[language], intent: 'end' };
  if (HOURS.test(text)) return { text: SAY.hours[language], intent: 'answer' };
  return { text: SAY.other[language], intent: 'answer' };
}

export async function startExampleBackend(opts: ExampleBackendOptions): Promise<ExampleBackend> {
  const script = [...(opts.script ?? [])];
  const sessions: ExampleBackend['sessions'] = [];
  const turns: TurnRecord[] = [];
  const messages: ClientMessage[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  let rejected = 0;
  const server = createServer((_req, res) => res.writeHead(426).end());
  const wss = new WebSocketServer({ noServer: true });

  server.on('connection', (socket: Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (req, socket, head) => {
    if (!tokenMatches(req, opts.token)) {
      rejected += 1;
      socket.end(
        'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws));
  });

  function serve(ws: WebSocket): void {
    let sessionId: string | undefined;
    let protocol = 1;
    const cancelled = new Set<string>();
    const received = new WeakMap<TurnRecord, number>();
    const turnOf = (turnId: string) =>
      [...turns].reverse().find((t) => t.turnId === turnId && t.sessionId === sessionId);
    /** A speculative turn neither committed nor cancelled yet is dropped by the next turn. */
    const dropOpenTurns = () => {
      for (const turn of turns) {
        if (turn.sessionId === sessionId && !turn.committed) turn.cancelled = true;
      }
    };
    const send = (message: object) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(message));
    ws.on('message', async (data) => {
      const message = parseClientMessage(String(data));
      if (!message) return send({ type: 'error', code: 'bad_message' });
      messages.push(message);
      if (message.type === 'session_start') {
        sessionId = message.session_id;
        sessions.push({
          sessionId,
          callId: message.call_id,
          caller: message.caller,
          resumed: message.resumed,
        });
        const ours = opts.protocols ?? [...BACKEND_PROTOCOL_VERSIONS];
        protocol = Math.max(1, ...(message.protocols ?? []).filter((v) => ours.includes(v)));
        return send({
          type: 'session_ready',
          session_id: sessionId,
          ...(protocol > 1 ? { protocol } : {}),
        });
      }
      if (message.session_id !== sessionId) return send({ type: 'error', code: 'no_session' });
      if (message.type === 'session_end') {
        const session = [...sessions].reverse().find((s) => s.sessionId === sessionId);
        if (session) session.ended = message.reason;
        dropOpenTurns();
        return ws.close(1000);
      }
      if (message.type === 'cancel_turn') {
        cancelled.add(message.turn_id);
        const turn = turnOf(message.turn_id);
        if (turn) turn.cancelled = true;
        return;
      }
      if (message.type === 'commit_turn') {
        const turn = turnOf(message.turn_id);
        // Only now would a real backend book the appointment or open the ticket.
        if (turn && turn.speculative && !turn.cancelled && !turn.committed) {
          turn.committed = true;
          turn.commitDelayMs = Date.now() - (received.get(turn) ?? Date.now());
        }
        return;
      }
      dropOpenTurns();
      // A v1 backend does not know the field: it would take every turn as committed.
      const speculative = message.speculative === true;
      const record: TurnRecord = {
        sessionId,
        turnId: message.turn_id,
        text: message.text,
        language: message.language,
        cancelled: false,
        speculative,
        committed: !(speculative && protocol >= 2),
      };
      turns.push(record);
      received.set(record, Date.now());
      const answer = opts.reply ?? ruleReply;
      const reply: ExampleReply = script.shift() ?? answer(message.text, message.language);
      if ('drop' in reply) return ws.terminate();
      if ('stall' in reply) return;
      await sleep(opts.replyDelayMs ?? 0);
      const words = reply.text.match(/\S+\s*/g) ?? [];
      for (const [i, word] of words.entries()) {
        if (cancelled.has(message.turn_id)) return;
        if (i > 0) await sleep(opts.deltaIntervalMs ?? 0);
        send({ type: 'reply_delta', turn_id: message.turn_id, text: word });
      }
      send({
        type: 'reply_end',
        turn_id: message.turn_id,
        conversational_intent: reply.intent ?? 'answer',
        ...(reply.transferTarget ? { transfer_target: reply.transferTarget } : {}),
      });
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `ws://127.0.0.1:${port}/switchboard`,
    port,
    get connections() {
      return connections;
    },
    get rejected() {
      return rejected;
    },
    sessions,
    turns,
    messages,
    setScript(replies) {
      script.splice(0, script.length, ...replies);
    },
    async stop() {
      for (const client of wss.clients) client.terminate();
      for (const socket of sockets) socket.destroy();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function tokenMatches(req: IncomingMessage, token: string): boolean {
  const given = Buffer.from(req.headers.authorization ?? '');
  const want = Buffer.from(`Bearer ${token}`);
  return given.length === want.length && timingSafeEqual(given, want);
}

const sleep = (ms: number) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const token = process.env.BACKEND_TOKEN;
  if (!token) {
    console.error('set BACKEND_TOKEN to the token the agent sends (agent.brain.backend.token)');
    process.exit(1);
  }
  const portArg = process.argv.indexOf('--port');
  const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 8090;
  const backend = await startExampleBackend({ token, port, deltaIntervalMs: 30 });
  console.log(`example backend listening on ${backend.url}`);
  process.on('SIGINT', () => void backend.stop().then(() => process.exit(0)));
}
