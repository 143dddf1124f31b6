import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { createLogger } from '../../telemetry/index.js';
import type { ServerMessage } from './backend-protocol.js';
import { openBackendSocket, type BackendSocketOptions } from './backend-socket.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});

async function server(autoPong: boolean): Promise<{ wss: WebSocketServer; url: string }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', autoPong });
  await once(wss, 'listening');
  cleanups.push(() => wss.close());
  const { port } = wss.address() as { port: number };
  return { wss, url: `ws://127.0.0.1:${port}` };
}

function open(url: string, overrides: Partial<BackendSocketOptions> = {}) {
  const seen: { messages: ServerMessage[]; closed: boolean; opened: boolean } = {
    messages: [],
    closed: false,
    opened: false,
  };
  const closed = new Promise<void>((resolve) => {
    const ws = openBackendSocket({
      url,
      token: 't',
      connectTimeoutMs: 1000,
      pingIntervalMs: 50,
      log: createLogger({ level: 'silent' }),
      onOpen: () => (seen.opened = true),
      onMessage: (m) => seen.messages.push(m),
      onRefused: () => {},
      onClose: () => {
        seen.closed = true;
        resolve();
      },
      ...overrides,
    });
    cleanups.push(() => ws.terminate());
  });
  return { seen, closed };
}

describe('backend socket', () => {
  it('gives up on a server that stops answering pings', async () => {
    const { url } = await server(false);
    const { seen, closed } = open(url);
    await closed;
    expect(seen.opened).toBe(true);
  });

  it('stays open while pongs come back, and passes on protocol messages only', async () => {
    const { wss, url } = await server(true);
    wss.on('connection', (ws) => {
      ws.send('not json');
      ws.send(JSON.stringify({ type: 'session_ready', session_id: 's1', protocol: 2 }));
    });
    const { seen } = open(url);
    await new Promise((r) => setTimeout(r, 300));
    expect(seen.closed).toBe(false);
    expect(seen.messages).toEqual([{ type: 'session_ready', session_id: 's1', protocol: 2 }]);
  });
});
