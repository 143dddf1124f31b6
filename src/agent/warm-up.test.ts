import { createServer, type Server } from 'node:net';
import { initializeLogger } from '@livekit/agents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import { createVad } from './engines/index.js';
import { warmUpConversation } from './session.js';

initializeLogger({ pretty: false, level: 'silent' });

describe("a job process's warm-up", () => {
  // Every vendor points here: a connection would be a vendor paid by a process with no call.
  let vendor: Server;
  let connections = 0;
  let port = 0;
  beforeAll(async () => {
    vendor = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => vendor.listen(0, '127.0.0.1', resolve));
    port = (vendor.address() as { port: number }).port;
  });
  afterAll(() => new Promise((resolve) => vendor.close(resolve)));

  it('starts and closes a session with the cloud engines configured, and connects to no vendor', async () => {
    const config = parseConfig({
      agent: {
        brain: { kind: 'llm' },
        engines: {
          stt: {
            provider: 'deepgram',
            deepgram: { apiKey: 'k', baseUrl: `ws://127.0.0.1:${port}` },
          },
          tts: {
            provider: 'elevenlabs',
            elevenlabs: { apiKey: 'k', baseUrl: `http://127.0.0.1:${port}/v1` },
          },
          llm: { openai: { apiKey: 'k', baseUrl: `http://127.0.0.1:${port}/v1` } },
        },
      },
    });
    await warmUpConversation(config, { vad: createVad(500) });
    // A session given the Deepgram STT opens its stream at start and retries after 100 ms.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(connections).toBe(0);
  });
});
