import { describe, expect, it } from 'vitest';
import { webhookRequests } from './metrics.js';
import { computeTwilioSignature } from './signature.js';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  CALLER,
  CALL_SID,
  LOCAL_BASE,
  PUBLIC_URL,
  callParams,
  formBody,
  pseudonymizer,
  testApp,
  testConfig,
  twilioRequest,
} from '../../test/harness/callflow-fixtures.js';

async function count(route: string, result: string): Promise<number> {
  const metric = await webhookRequests.get();
  return (
    metric.values.find((v) => v.labels.route === route && v.labels.result === result)?.value ?? 0
  );
}

describe('Twilio signature check', () => {
  const { app } = testApp(testConfig('dev'));

  it('accepts a request signed for the https public URL that arrives as plain http', async () => {
    const res = await twilioRequest(app, { path: '/twilio/voice' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<Sip>sip:+3225550100@127.0.0.1:5060');
  });

  it('refuses a request signed for the URL derived from Host and scheme (403)', async () => {
    const res = await twilioRequest(app, {
      path: '/twilio/voice',
      signFor: `${LOCAL_BASE}/twilio/voice`,
    });
    expect(res.status).toBe(403);
  });

  it('refuses unsigned, tampered, extended and wrongly keyed requests (403)', async () => {
    const { app, logs } = testApp(testConfig('dev'));
    const before = await count('twilio_voice', 'forbidden_signature');
    const signed = computeTwilioSignature(AUTH_TOKEN, `${PUBLIC_URL}/twilio/voice`, callParams());
    const attempts = [
      twilioRequest(app, { path: '/twilio/voice', signature: null }),
      twilioRequest(app, { path: '/twilio/voice', signature: '' }),
      twilioRequest(app, {
        path: '/twilio/voice',
        signature: signed,
        params: callParams({ To: '+3225550101' }),
      }),
      twilioRequest(app, {
        path: '/twilio/voice',
        signature: signed,
        params: callParams({ Extra: 'x' }),
      }),
      twilioRequest(app, { path: '/twilio/voice', authToken: 'another-token-0123456789' }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect(await res.text()).not.toContain('<Response');
    }
    expect((await count('twilio_voice', 'forbidden_signature')) - before).toBe(attempts.length);
    expect(logs()).not.toContain('routed to the gateway');
  });

  it('refuses a signed request replayed to another route or query (403)', async () => {
    const params = callParams({ DialCallStatus: 'failed' });
    const forVoice = computeTwilioSignature(AUTH_TOKEN, `${PUBLIC_URL}/twilio/voice`, params);
    const toEscalate = await twilioRequest(app, {
      path: '/twilio/escalate',
      params,
      signature: forVoice,
    });
    expect(toEscalate.status).toBe(403);
    const forAgentLeg = computeTwilioSignature(
      AUTH_TOKEN,
      `${PUBLIC_URL}/twilio/dial-status?leg=agent`,
      params,
    );
    const toHelpdeskLeg = await twilioRequest(app, {
      path: '/twilio/dial-status?leg=helpdesk',
      params,
      signature: forAgentLeg,
    });
    expect(toHelpdeskLeg.status).toBe(403);
  });

  it('accepts unknown extra fields when they are signed', async () => {
    const res = await twilioRequest(app, {
      path: '/twilio/voice',
      params: callParams({ StirVerstat: 'TN-Validation-Passed-A', FutureField: 'anything' }),
    });
    expect(res.status).toBe(200);
  });
});

describe('Twilio request validation', () => {
  const { app } = testApp(testConfig('dev'));

  it('refuses a foreign or missing AccountSid (403)', async () => {
    const foreign = callParams({ AccountSid: 'AC00000000000000000000000000000000' });
    const { AccountSid: _omit, ...missing } = callParams();
    for (const params of [foreign, missing]) {
      const res = await twilioRequest(app, { path: '/twilio/voice', params });
      expect(res.status).toBe(403);
    }
  });

  it('refuses a malformed or missing CallSid (400)', async () => {
    const bad = ['', 'CA123', `ca${CALL_SID.slice(2)}`, `${CALL_SID}0`, `CA${'G'.repeat(32)}`];
    for (const CallSid of bad) {
      const res = await twilioRequest(app, {
        path: '/twilio/voice',
        params: callParams({ CallSid }),
      });
      expect(res.status, CallSid).toBe(400);
    }
    const { CallSid: _omit, ...missing } = callParams();
    expect((await twilioRequest(app, { path: '/twilio/voice', params: missing })).status).toBe(400);
    const twice = callParams({ CallSid: [CALL_SID, CALL_SID] });
    expect((await twilioRequest(app, { path: '/twilio/voice', params: twice })).status).toBe(400);
  });

  it('answers 405 with Allow: POST to other methods', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await twilioRequest(app, { path: '/twilio/voice', method });
      expect(res.status, method).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
    }
  });

  it('answers 415 to bodies that are not form-encoded', async () => {
    for (const type of ['application/json', 'text/plain', 'multipart/form-data; boundary=x']) {
      const res = await twilioRequest(app, {
        path: '/twilio/voice',
        headers: { 'content-type': type },
      });
      expect(res.status, type).toBe(415);
    }
    const charset = await twilioRequest(app, {
      path: '/twilio/voice',
      headers: { 'content-type': 'Application/X-WWW-Form-Urlencoded; charset=UTF-8' },
    });
    expect(charset.status).toBe(200);
  });

  it('answers 413 above the body limit, declared or streamed', async () => {
    const big = callParams({ Padding: 'x'.repeat(17 * 1024) });
    expect((await twilioRequest(app, { path: '/twilio/voice', params: big })).status).toBe(413);
    const body = formBody(big);
    const streamed = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < body.length; i += 1024) {
          controller.enqueue(new TextEncoder().encode(body.slice(i, i + 1024)));
        }
        controller.close();
      },
    });
    const res = await app.request(`${LOCAL_BASE}/twilio/voice`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: streamed,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
  });
});

describe('Twilio documents and fallback', () => {
  it('dial-status hangs up when the leg ended, falls back otherwise', async () => {
    const { app } = testApp(testConfig('dev'));
    const status = async (DialCallStatus: string, leg = 'agent') =>
      (
        await twilioRequest(app, {
          path: `/twilio/dial-status?leg=${leg}`,
          params: callParams({ DialCallStatus }),
        })
      ).text();
    for (const ended of ['completed', 'answered', 'canceled']) {
      expect(await status(ended)).toContain('<Response><Hangup/></Response>');
    }
    for (const failed of ['busy', 'failed', 'no-answer', 'some-future-status']) {
      expect(await status(failed)).toContain('>+3225550199</Dial>');
      expect(await status(failed, 'helpdesk')).toContain('<Say language="en-GB">');
    }
  });

  it('dial-status without a leg is the agent leg; an unknown leg is refused (400)', async () => {
    const { app } = testApp(testConfig('dev'));
    const params = callParams({ DialCallStatus: 'busy' });
    const bare = await twilioRequest(app, { path: '/twilio/dial-status', params });
    expect(await bare.text()).toContain('>+3225550199</Dial>');
    const odd = await twilioRequest(app, { path: '/twilio/dial-status?leg=other', params });
    expect(odd.status).toBe(400);
  });

  it('uses a configured fixed user and falls back to a fixed user when To is no number', async () => {
    const fixed = testApp(testConfig('dev', { sipUser: 'line-1' }));
    const res = await twilioRequest(fixed.app, { path: '/twilio/voice' });
    expect(await res.text()).toContain('<Sip>sip:line-1@127.0.0.1:5060</Sip>');
    const { app } = testApp(testConfig('dev'));
    const client = await twilioRequest(app, {
      path: '/twilio/voice',
      params: callParams({ To: 'client:alice' }),
    });
    expect(await client.text()).toContain('<Sip>sip:switchboard@127.0.0.1:5060</Sip>');
  });

  it('omits the pseudonym header for a withheld caller', async () => {
    const { app } = testApp(testConfig('dev'));
    const res = await twilioRequest(app, {
      path: '/twilio/voice',
      params: callParams({ From: 'anonymous', Caller: 'anonymous' }),
    });
    expect(await res.text()).toContain('<Sip>sip:+3225550100@127.0.0.1:5060</Sip>');
  });

  it('logs the pseudonym and never the caller number', async () => {
    const { app, logs } = testApp(testConfig('dev'));
    await twilioRequest(app, { path: '/twilio/voice' });
    await twilioRequest(app, { path: '/twilio/voice', signature: null });
    const text = logs();
    expect(text).toContain(pseudonymizer.pseudonymize(CALLER)!);
    expect(text).not.toContain(CALLER.slice(1));
    expect(text).not.toMatch(/\+\d{6,}/);
  });

  it('counts served requests by route and result', async () => {
    const { app } = testApp(testConfig('dev'));
    const before = await count('twilio_escalate', 'ok');
    await twilioRequest(app, { path: '/twilio/escalate' });
    expect((await count('twilio_escalate', 'ok')) - before).toBe(1);
  });

  it('has no Twilio routes when Twilio is disabled (404)', async () => {
    const { app } = testApp(testConfig('dev', { enabled: false }));
    expect((await twilioRequest(app, { path: '/twilio/voice' })).status).toBe(404);
  });

  it('in pilot without sipDomain, dials sip.publicAddress on the TLS port', async () => {
    const base = testConfig('pilot', { sipDomain: undefined });
    const config = {
      ...base,
      sip: {
        ...base.sip,
        publicAddress: 'sip.hospital.example',
        tls: { port: 5061, certFile: '/c.pem', keyFile: '/k.pem' },
      },
    };
    const res = await twilioRequest(testApp(config).app, { path: '/twilio/voice' });
    expect(await res.text()).toContain('@sip.hospital.example:5061;transport=tls</Sip>');
  });

  it('the account in the fixtures is the configured one', () => {
    expect(testConfig('dev').carriers.twilio.accountSid).toBe(ACCOUNT_SID);
  });
});
