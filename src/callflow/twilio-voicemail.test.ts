import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import { createLogger } from '../telemetry/index.js';
import { createMessageStore, type MessageStore } from '../voicemail/index.js';
import { startRedis, type TestRedis } from '../../test/harness/redis-server.js';
import {
  CALLER,
  CALL_SID,
  PUBLIC_URL,
  callParams,
  pseudonymizer,
  testApp,
  testConfig,
  twilioRequest,
} from '../../test/harness/callflow-fixtures.js';
import { webhookRequests } from './metrics.js';

let server: TestRedis;
let redis: Redis;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});

afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

/** A real store under its own prefix, so each test sees only its own messages. */
function newStore(client: Redis = redis): MessageStore {
  const { privacy, voicemail } = parseConfig({
    privacy: { keyPrefix: `t${randomBytes(4).toString('hex')}` },
  });
  const logger = createLogger({ level: 'silent' });
  return createMessageStore({ redis: client, privacy, voicemail, logger, pseudonymizer });
}

async function count(route: string, result: string): Promise<number> {
  const metric = await webhookRequests.get();
  return (
    metric.values.find((v) => v.labels.route === route && v.labels.result === result)?.value ?? 0
  );
}

const MESSAGE = 'Ik bel over de afspraak van mijn moeder morgen, kunt u mij terugbellen';
const messageParams = (extra: Record<string, string> = {}) =>
  callParams({ SpeechResult: MESSAGE, Confidence: '0.91', ...extra });

describe('Twilio fallback: taking a message', () => {
  it('a failed agent leg with fallback message offers to take a message, transcribed by Twilio', async () => {
    const { app } = testApp(
      testConfig('dev', { fallback: 'message' }, { language: 'nl' }),
      newStore(),
    );
    const res = await twilioRequest(app, {
      path: '/twilio/dial-status?leg=agent',
      params: callParams({ DialCallStatus: 'busy' }),
    });
    const xml = await res.text();
    expect(res.status).toBe(200);
    expect(xml).toContain(
      `<Gather input="speech" language="nl-BE" action="${PUBLIC_URL}/twilio/voicemail?lang=nl" method="POST"`,
    );
    expect(xml).toContain('<Say language="nl-NL">U kunt een bericht inspreken.');
    expect(xml).not.toContain('<Record');
    // The emergency advice of the fallback message is still said first.
    expect(xml.indexOf('112')).toBeLessThan(xml.indexOf('<Gather'));
  });

  it('an unanswered helpdesk leg offers it too', async () => {
    const { app } = testApp(testConfig('dev'), newStore());
    const before = await count('twilio_dial_status', 'fallback_voicemail');
    const res = await twilioRequest(app, {
      path: '/twilio/dial-status?leg=helpdesk',
      params: callParams({ DialCallStatus: 'no-answer' }),
    });
    expect(await res.text()).toContain(`action="${PUBLIC_URL}/twilio/voicemail?lang=en"`);
    expect(await count('twilio_dial_status', 'fallback_voicemail')).toBe(before + 1);
  });

  it('stores the transcribed text with the caller pseudonym, thanks the caller and hangs up', async () => {
    const store = newStore();
    const { app, logs } = testApp(testConfig('dev', {}, { language: 'nl' }), store);
    const res = await twilioRequest(app, {
      path: '/twilio/voicemail?lang=nl',
      params: messageParams(),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Say language="nl-NL">Dank u. Uw bericht is doorgegeven. Tot ziens.</Say><Hangup/></Response>',
    );
    const [message, ...others] = await store.recent(10);
    expect(others).toEqual([]);
    expect(message).toMatchObject({
      callId: `twilio:${CALL_SID}`,
      pseudonym: pseudonymizer.pseudonymize(CALLER),
      language: 'nl',
      text: MESSAGE,
      reason: 'carrier_fallback',
      callback: { state: 'none' },
    });
    expect(await store.callbackNumber(message!.id)).toBeUndefined();
    // Logged: the pseudonym and the message id; never the number or the words.
    expect(logs()).toContain(message!.id);
    expect(logs()).not.toContain(CALLER.slice(1));
    expect(logs()).not.toContain('afspraak');
  });

  it('a number the caller speaks is not stored as digits', async () => {
    const store = newStore();
    const { app } = testApp(testConfig('dev'), store);
    await twilioRequest(app, {
      path: '/twilio/voicemail?lang=en',
      params: messageParams({ SpeechResult: 'please call me back on +32 470 12 34 56 thanks' }),
    });
    const [message] = await store.recent(10);
    expect(message?.text).toMatch(/^please call me back on .+ thanks$/);
    expect(message?.text).not.toMatch(/470/);
  });

  it('stores nothing when Twilio heard nothing, and says so', async () => {
    const store = newStore();
    const { app } = testApp(testConfig('dev'), store);
    for (const params of [callParams(), messageParams({ SpeechResult: '   ' })]) {
      const res = await twilioRequest(app, { path: '/twilio/voicemail?lang=fr', params });
      expect(await res.text()).toContain("Je n'ai pas entendu de message.");
    }
    expect(await store.recent(10)).toEqual([]);
  });

  it('refuses a forged, foreign, malformed or unknown-language request without storing (403/400)', async () => {
    const store = newStore();
    const { app } = testApp(testConfig('dev'), store);
    const cases: Array<[number, Promise<Response>]> = [
      [
        403,
        twilioRequest(app, {
          path: '/twilio/voicemail?lang=en',
          params: messageParams(),
          signature: null,
        }),
      ],
      [
        403,
        twilioRequest(app, {
          path: '/twilio/voicemail?lang=en',
          params: messageParams(),
          signFor: `${PUBLIC_URL}/twilio/voicemail?lang=nl`,
        }),
      ],
      [
        403,
        twilioRequest(app, {
          path: '/twilio/voicemail?lang=en',
          params: messageParams({ AccountSid: 'AC00000000000000000000000000000000' }),
        }),
      ],
      [
        400,
        twilioRequest(app, {
          path: '/twilio/voicemail?lang=en',
          params: messageParams({ CallSid: 'CA-not-a-sid' }),
        }),
      ],
      [400, twilioRequest(app, { path: '/twilio/voicemail?lang=es', params: messageParams() })],
      [400, twilioRequest(app, { path: '/twilio/voicemail', params: messageParams() })],
    ];
    for (const [status, response] of cases) expect((await response).status).toBe(status);
    expect(await store.recent(10)).toEqual([]);
  });

  it('tells the caller when the message could not be stored (Redis down), never silence', async () => {
    const down = await startRedis();
    await down.stop();
    const client = new Redis(down.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined);
    const { app } = testApp(testConfig('dev'), newStore(client));
    const before = await count('twilio_voicemail', 'voicemail_not_saved');
    const res = await twilioRequest(app, {
      path: '/twilio/voicemail?lang=de',
      params: messageParams(),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Ihre Nachricht konnte nicht gespeichert werden');
    expect(await count('twilio_voicemail', 'voicemail_not_saved')).toBe(before + 1);
    client.disconnect();
  });

  it('with voicemail.enabled false, or no store, the fallback ends the call as before', async () => {
    const disabled = {
      ...testConfig('dev', { fallback: 'message' }),
      voicemail: parseConfig({ voicemail: { enabled: false } }).voicemail,
    };
    for (const { app } of [
      testApp(disabled, newStore()),
      testApp(testConfig('dev', { fallback: 'message' })),
    ]) {
      const res = await twilioRequest(app, {
        path: '/twilio/dial-status?leg=agent',
        params: callParams({ DialCallStatus: 'failed' }),
      });
      const xml = await res.text();
      expect(xml).not.toContain('<Gather');
      expect(xml).toMatch(/<Hangup\/><\/Response>$/);
      const vm = await twilioRequest(app, {
        path: '/twilio/voicemail?lang=en',
        params: messageParams(),
      });
      expect(vm.status).toBe(404);
    }
  });
});
