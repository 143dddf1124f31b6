import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import { createLogger } from '../telemetry/index.js';
import { createMessageStore, type MessageStore } from '../voicemail/index.js';
import { startRedis, type TestRedis } from '../../test/harness/redis-server.js';
import {
  callParams,
  cloudonixRequest,
  testApp,
  testConfig,
  twilioRequest,
  pseudonymizer,
  type TestApp,
} from '../../test/harness/callflow-fixtures.js';

/**
 * Every document, in both profiles, compared byte for byte with src/callflow/golden/*.xml.
 * Regenerate after an intended change with UPDATE_GOLDEN=1 and review the diff.
 */
const GOLDEN_DIR = fileURLToPath(new URL('./golden/', import.meta.url));
const update = process.env.UPDATE_GOLDEN === '1';

function expectGolden(name: string, actual: string): void {
  const path = `${GOLDEN_DIR}${name}.xml`;
  if (update) writeFileSync(path, actual);
  expect(existsSync(path), `${name}.xml missing; run with UPDATE_GOLDEN=1`).toBe(true);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

async function document(res: Response): Promise<string> {
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/xml; charset=utf-8');
  return res.text();
}

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

const messageStore = (): MessageStore =>
  createMessageStore({
    ...parseConfig({}),
    redis,
    logger: createLogger({ level: 'silent' }),
    pseudonymizer,
  });

const pilotCredentials = { sipUsername: 'twilio-trunk', sipPassword: 'pilot-digest-secret' };

describe.each(['dev', 'pilot'] as const)('golden documents, profile %s', (profile) => {
  const standard = (): TestApp =>
    testApp(testConfig(profile, profile === 'pilot' ? pilotCredentials : {}));

  it('twilio voice dials the gateway with the caller pseudonym header', async () => {
    const res = await twilioRequest(standard().app, { path: '/twilio/voice' });
    expectGolden(`twilio-voice.${profile}`, await document(res));
  });

  it('twilio voice with a fixed SIP user', async () => {
    const { app } = testApp(testConfig(profile, { sipUser: 'helpdesk-line' }));
    const res = await twilioRequest(app, { path: '/twilio/voice' });
    expectGolden(`twilio-voice-sip-user.${profile}`, await document(res));
  });

  it('twilio escalate dials the helpdesk', async () => {
    const res = await twilioRequest(standard().app, { path: '/twilio/escalate' });
    expectGolden(`twilio-escalate.${profile}`, await document(res));
  });

  it('dial-status: agent leg failed, default fallback dials the helpdesk', async () => {
    const res = await twilioRequest(standard().app, {
      path: '/twilio/dial-status?leg=agent',
      params: callParams({ DialCallStatus: 'failed' }),
    });
    expectGolden(`twilio-dial-status-fallback-helpdesk.${profile}`, await document(res));
  });

  it('dial-status: agent leg busy, fallback message', async () => {
    const { app } = testApp(testConfig(profile, { fallback: 'message' }, { language: 'nl' }));
    const res = await twilioRequest(app, {
      path: '/twilio/dial-status?leg=agent',
      params: callParams({ DialCallStatus: 'busy' }),
    });
    expectGolden(`twilio-dial-status-fallback-message.${profile}`, await document(res));
  });

  it('dial-status: helpdesk leg unanswered ends with the message', async () => {
    const res = await twilioRequest(standard().app, {
      path: '/twilio/dial-status?leg=helpdesk',
      params: callParams({ DialCallStatus: 'no-answer' }),
    });
    expectGolden(`twilio-dial-status-helpdesk-failed.${profile}`, await document(res));
  });

  it('dial-status: agent leg busy, fallback message offers to take a message', async () => {
    const config = testConfig(profile, { fallback: 'message' }, { language: 'nl' });
    const res = await twilioRequest(testApp(config, messageStore()).app, {
      path: '/twilio/dial-status?leg=agent',
      params: callParams({ DialCallStatus: 'busy' }),
    });
    expectGolden(`twilio-dial-status-fallback-voicemail.${profile}`, await document(res));
  });

  it('voicemail: the message is stored and the caller thanked', async () => {
    const res = await twilioRequest(testApp(testConfig(profile), messageStore()).app, {
      path: '/twilio/voicemail?lang=fr',
      params: callParams({ SpeechResult: 'Je voudrais déplacer mon rendez-vous.' }),
    });
    expectGolden(`twilio-voicemail-saved.${profile}`, await document(res));
  });

  it('voicemail: nothing heard, nothing stored', async () => {
    const res = await twilioRequest(testApp(testConfig(profile), messageStore()).app, {
      path: '/twilio/voicemail?lang=en',
      params: callParams(),
    });
    expectGolden(`twilio-voicemail-empty.${profile}`, await document(res));
  });

  it('dial-status: completed leg hangs up', async () => {
    const res = await twilioRequest(standard().app, {
      path: '/twilio/dial-status?leg=agent',
      params: callParams({ DialCallStatus: 'completed', DialCallDuration: '42' }),
    });
    expectGolden(`twilio-dial-status-completed.${profile}`, await document(res));
  });

  it('cloudonix voice dials the service provider', async () => {
    const res = await cloudonixRequest(standard().app);
    expectGolden(`cloudonix-voice.${profile}`, await document(res));
  });
});
