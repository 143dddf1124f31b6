import WebSocket from 'ws';
import type { Logger } from '../../telemetry/index.js';
import { parseServerMessage, type ServerMessage } from './backend-protocol.js';

export interface BackendSocketOptions {
  url: string;
  token: string;
  connectTimeoutMs: number;
  /** Heartbeat: a ping this often; no pong by the next one means the link is dead. */
  pingIntervalMs: number;
  log: Logger;
  onOpen(): void;
  onMessage(message: ServerMessage): void;
  /** The upgrade was answered with an HTTP status instead: 401 and 403 mean a refused token. */
  onRefused(status: number): void;
  /** After an error, a refusal or a close alike; the socket is done. */
  onClose(): void;
}

/**
 * One connection to the backend: bearer-token upgrade, heartbeat, and JSON text frames parsed
 * into protocol messages. What a connection means for the session is the client's business.
 */
export function openBackendSocket(opts: BackendSocketOptions): WebSocket {
  const { log } = opts;
  const ws = new WebSocket(opts.url, {
    headers: { Authorization: `Bearer ${opts.token}` },
    handshakeTimeout: opts.connectTimeoutMs,
  });
  let alive = true;
  let ping: NodeJS.Timeout | undefined;
  ws.on('unexpected-response', (_req, res) => {
    const status = res.statusCode ?? 0;
    res.resume();
    opts.onRefused(status);
    ws.terminate();
  });
  ws.on('open', () => {
    opts.onOpen();
    ping = setInterval(() => {
      if (!alive) return ws.terminate();
      alive = false;
      ws.ping();
    }, opts.pingIntervalMs);
  });
  ws.on('pong', () => (alive = true));
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const message = parseServerMessage(String(data));
    if (!message) return log.warn('backend sent a message that is not in the protocol');
    opts.onMessage(message);
  });
  ws.on('error', (err) => log.debug({ err: err.message }, 'backend socket error'));
  ws.on('close', () => {
    clearInterval(ping);
    opts.onClose();
  });
  return ws;
}
