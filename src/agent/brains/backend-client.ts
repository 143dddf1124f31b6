import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { Logger } from '../../telemetry/index.js';
import {
  BACKEND_BASE_PROTOCOL,
  BACKEND_PROTOCOL_VERSIONS,
  type ClientMessage,
  type ServerMessage,
  type SessionEndReason,
} from './backend-protocol.js';
import { openBackendSocket } from './backend-socket.js';
import type {
  BackendClientOptions,
  BackendState,
  StartResult,
  TurnFailure,
  TurnOutcome,
  TurnRequest,
  TurnResult,
} from './backend-types.js';

export type * from './backend-types.js';

const SETTLED: Partial<Record<BackendState, StartResult>> = {
  ready: 'ready',
  unauthorized: 'unauthorized',
  closed: 'unavailable',
};

interface ActiveTurn {
  id: string;
  request: TurnRequest;
  /** user_turn went out on the current connection. */
  sent: boolean;
  sentAt: number;
  deltas: number;
  timer?: NodeJS.Timeout;
  /** Committed by the agent; a speculative turn is not until `request.commit` says so. */
  committed: boolean;
  /** The last user_turn said `speculative: true`, so the backend waits for commit/cancel. */
  speculative: boolean;
  commitSent: boolean;
  /** The backend no longer has the turn (cancel_turn sent, or its connection is gone). */
  dropped: boolean;
  /** The reply ended before the commit: reported only once the turn is committed. */
  held?: TurnOutcome;
  settle(result: TurnOutcome): void;
}

/**
 * One call's session with the customer's orchestrator over one WebSocket: bearer-token auth,
 * session_start on every (re)connection, one turn at a time, reconnection with exponential
 * backoff, and a silence timeout per turn. It never throws into the call: every turn settles with
 * a result the brain turns into speech.
 *
 * Speculative turns (protocol v2): the reply streams before the commit, but the outcome (the
 * intent) is held until the commit and dropped on a discard. A v1 backend never sees one: the
 * turn is sent, as a plain user_turn, only once it is committed.
 */
export class BackendClient {
  readonly sessionId = randomUUID();
  #opts: BackendClientOptions;
  #log: Logger;
  #ws: WebSocket | undefined;
  #state: BackendState = 'idle';
  #attempt = 0;
  #sessionStarted = false;
  #turnCounter = 0;
  #protocol = 1;
  #turn: ActiveTurn | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #waiters = new Set<() => void>();

  constructor(opts: BackendClientOptions) {
    this.#opts = opts;
    this.#log = opts.logger.child({ component: 'backend-brain', sessionId: this.sessionId });
  }

  get state(): BackendState {
    return this.#state;
  }

  /** The version the backend chose at the last session_ready (1 until then). */
  get protocol(): number {
    return this.#protocol;
  }

  /** Connects and starts the session; resolves when ready, refused, or after connectTimeoutMs. */
  async start(): Promise<StartResult> {
    if (this.#state === 'idle') this.#connect();
    return this.#waitReady(this.#opts.connectTimeoutMs);
  }

  /** Sends one caller turn and streams the reply through `onDelta`. Never rejects. */
  runTurn(request: TurnRequest): Promise<TurnResult> {
    // One turn at a time: a newer turn, speculative or not, replaces the open one.
    if (this.#turn) this.#cancel(this.#turn);
    const turnId = `t${++this.#turnCounter}`;
    return new Promise<TurnResult>((resolve) => {
      const turn: ActiveTurn = {
        id: turnId,
        request,
        sent: false,
        sentAt: 0,
        deltas: 0,
        committed: !request.commit,
        speculative: false,
        commitSent: false,
        dropped: false,
        settle: (result) => {
          if (this.#turn !== turn) return;
          this.#turn = undefined;
          clearTimeout(turn.timer);
          request.signal?.removeEventListener('abort', onAbort);
          resolve({ ...result, turnId, deltas: turn.deltas });
        },
      };
      const onAbort = () => this.#cancel(turn);
      if (request.signal?.aborted) {
        return resolve({ turnId, status: request.commit ? 'discarded' : 'cancelled', deltas: 0 });
      }
      request.signal?.addEventListener('abort', onAbort, { once: true });
      void request.commit?.then((committed) =>
        committed ? this.#commit(turn) : this.#cancel(turn),
      );
      this.#turn = turn;
      // No backend to ask: the failure is the outcome (held, like any, for a speculative turn).
      if (this.#state === 'unauthorized') return this.#finish(turn, { status: 'unauthorized' });
      if (this.#state === 'closed' || this.#state === 'idle') {
        return this.#finish(turn, { status: 'unavailable' });
      }
      this.#armTimer(turn);
      if (this.#state === 'ready') this.#sendTurn(turn);
    });
  }

  /** Ends the session (session_end), closes the socket and stops reconnecting. */
  async close(reason: SessionEndReason): Promise<void> {
    if (this.#state === 'closed') return;
    const wasReady = this.#state === 'ready';
    this.#state = 'closed';
    clearTimeout(this.#reconnectTimer);
    if (this.#turn) this.#cancel(this.#turn);
    this.#wake();
    const ws = this.#ws;
    if (!ws) return;
    if (wasReady) this.#send({ type: 'session_end', session_id: this.sessionId, reason });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 1000);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.close(1000);
    });
  }

  #connect(): void {
    this.#state = this.#sessionStarted ? 'reconnecting' : 'connecting';
    const ws: WebSocket = openBackendSocket({
      url: this.#opts.url,
      token: this.#opts.token,
      connectTimeoutMs: this.#opts.connectTimeoutMs,
      pingIntervalMs: this.#opts.pingIntervalMs ?? 10_000,
      log: this.#log,
      onRefused: (status) => {
        if (status !== 401 && status !== 403) {
          return this.#log.warn({ status }, 'backend refused the connection');
        }
        this.#log.error({ status }, 'backend refused the token');
        this.#state = 'unauthorized';
        if (this.#turn) this.#finish(this.#turn, { status: 'unauthorized' });
        this.#wake();
      },
      onOpen: () => {
        this.#send({
          type: 'session_start',
          protocol: BACKEND_BASE_PROTOCOL,
          protocols: [...BACKEND_PROTOCOL_VERSIONS],
          session_id: this.sessionId,
          call_id: this.#opts.callId,
          caller: this.#opts.caller,
          language: this.#opts.language,
          resumed: this.#sessionStarted,
        });
        this.#sessionStarted = true;
      },
      onMessage: (message) => this.#onMessage(message),
      onClose: () => {
        if (this.#ws !== ws) return;
        this.#ws = undefined;
        if (this.#state === 'closed' || this.#state === 'unauthorized') return;
        const turn = this.#turn;
        // A reply already half spoken cannot be resumed; an unanswered turn is sent again. A
        // whole reply waiting for its commit stays: the resumed session still has the turn.
        if (turn && !turn.held && turn.deltas > 0) {
          turn.dropped = true;
          this.#finish(turn, { status: 'interrupted' });
        } else if (turn && !turn.held) turn.sent = false;
        this.#scheduleReconnect();
      },
    });
    this.#ws = ws;
  }

  #scheduleReconnect(): void {
    const { initialDelayMs, maxDelayMs, multiplier } = this.#opts.reconnect;
    const base = Math.min(maxDelayMs, initialDelayMs * multiplier ** this.#attempt);
    // Jitter, so that many calls do not reconnect in lockstep after a backend restart.
    const delayMs = Math.round(base * (0.8 + Math.random() * 0.4));
    this.#attempt += 1;
    this.#state = 'reconnecting';
    this.#opts.telemetry?.reconnect();
    this.#log.warn({ attempt: this.#attempt, delayMs }, 'backend connection lost, reconnecting');
    this.#reconnectTimer = setTimeout(() => this.#connect(), delayMs);
  }

  #onMessage(message: ServerMessage): void {
    if (message.type === 'session_ready') {
      if (message.session_id !== this.sessionId) return;
      if (this.#attempt > 0) this.#log.info({ attempts: this.#attempt }, 'backend session resumed');
      this.#protocol = this.#negotiated(message.protocol);
      this.#state = 'ready';
      this.#attempt = 0;
      this.#wake();
      const turn = this.#turn;
      if (turn && !turn.sent && !turn.held) this.#sendTurn(turn);
      else if (turn) this.#sendCommit(turn);
      return;
    }
    const turn = this.#turn;
    // A late reply to a cancelled turn, or more after a reply that is held for its commit.
    if (!turn || message.turn_id !== turn.id || turn.held) return;
    if (message.type === 'reply_delta') {
      if (turn.deltas === 0)
        this.#opts.telemetry?.firstDelta((performance.now() - turn.sentAt) / 1000);
      turn.deltas += 1;
      this.#armTimer(turn);
      if (message.text) turn.request.onDelta(message.text, turn.id);
    } else if (message.type === 'reply_end') {
      if (message.text) {
        turn.deltas += 1;
        turn.request.onDelta(message.text, turn.id);
      }
      this.#finish(turn, {
        status: 'ok',
        intent: message.conversational_intent,
        ...(message.transfer_target ? { transferTarget: message.transfer_target } : {}),
      });
    } else {
      this.#log.warn(
        { code: message.code, turnId: turn.id },
        'backend reported an error for a turn',
      );
      this.#finish(turn, { status: 'error' });
    }
  }

  #negotiated(chosen: number | undefined): number {
    if (chosen === undefined) return 1;
    if ((BACKEND_PROTOCOL_VERSIONS as readonly number[]).includes(chosen)) return chosen;
    // Not a version we offered: speak the one every backend understands.
    this.#log.warn({ protocol: chosen }, 'backend chose a protocol version it was not offered');
    return 1;
  }

  #sendTurn(turn: ActiveTurn): void {
    if (!turn.committed && (this.#protocol < 2 || turn.request.holdUntilCommit)) {
      // A v1 backend would act on it at once: it waits for the commit, and so does its timeout.
      clearTimeout(turn.timer);
      return;
    }
    turn.speculative = !turn.committed;
    turn.sent = this.#send({
      type: 'user_turn',
      session_id: this.sessionId,
      turn_id: turn.id,
      text: turn.request.text,
      language: turn.request.language,
      ...(turn.speculative ? { speculative: true } : {}),
    });
    turn.sentAt = performance.now();
  }

  /** The agent committed a speculative turn: tell the backend, and report a reply held for it. */
  #commit(turn: ActiveTurn): void {
    if (this.#turn !== turn || turn.committed) return;
    turn.committed = true;
    if (turn.held) {
      this.#sendCommit(turn);
      return turn.settle(turn.held);
    }
    if (turn.sent) return this.#sendCommit(turn);
    // Held back from a v1 backend until now.
    this.#armTimer(turn);
    if (this.#state === 'ready') this.#sendTurn(turn);
  }

  #sendCommit(turn: ActiveTurn): void {
    if (!turn.committed || !turn.speculative || turn.commitSent || turn.dropped) return;
    if (this.#state !== 'ready') return; // sent on the resumed session
    turn.commitSent = this.#send({
      type: 'commit_turn',
      session_id: this.sessionId,
      turn_id: turn.id,
    });
  }

  /** The reply is over (or failed): reported now if committed, else held for the commit. */
  #finish(turn: ActiveTurn, outcome: TurnOutcome): void {
    clearTimeout(turn.timer);
    if (turn.committed) turn.settle(outcome);
    else turn.held = outcome;
  }

  /** The caller's silence budget: from the turn to the first reply text, then between messages. */
  #armTimer(turn: ActiveTurn): void {
    clearTimeout(turn.timer);
    turn.timer = setTimeout(() => {
      const status: TurnFailure = turn.sent || turn.deltas > 0 ? 'timeout' : 'unavailable';
      this.#log.warn({ turnId: turn.id, status, deltas: turn.deltas }, 'backend turn timed out');
      this.#cancel(turn, status);
    }, this.#opts.turnTimeoutMs);
  }

  /** Without a failure: the turn is dropped (barge-in, a newer turn, or a discard) and ends now. */
  #cancel(turn: ActiveTurn, failure?: TurnFailure): void {
    if (this.#turn !== turn) return;
    if (turn.sent && !turn.dropped && this.#state === 'ready') {
      this.#send({ type: 'cancel_turn', session_id: this.sessionId, turn_id: turn.id });
    }
    turn.dropped = true;
    if (failure) return this.#finish(turn, { status: failure });
    turn.settle({ status: turn.committed ? 'cancelled' : 'discarded' });
  }

  #send(message: ClientMessage): boolean {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(message));
    return true;
  }

  #waitReady(timeoutMs: number): Promise<StartResult> {
    return new Promise((resolve) => {
      const finish = (result: StartResult) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(result);
      };
      const check = () => {
        const result = SETTLED[this.#state];
        if (result) finish(result);
      };
      const timer = setTimeout(() => finish(SETTLED[this.#state] ?? 'unavailable'), timeoutMs);
      this.#waiters.add(check);
      check();
    });
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}
