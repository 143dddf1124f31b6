import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { computeTwilioSignature, type FormParams } from '../src/callflow/index.js';
import { useStack } from './support/stack.js';

/**
 * Carrier webhooks against the real control-plane process of the shared stack (`switchboard up`
 * with test/e2e/switchboard.e2e.yaml), over HTTP on 127.0.0.1:8080. Requests arrive as plain http
 * while Twilio signs the https public URL, as behind a TLS proxy.
 */
const CONTROL_PLANE = 'http://127.0.0.1:8080';

interface CarriersSection {
  twilio: { accountSid: string; authToken: string; publicUrl: string };
  cloudonix: { secret: string; providerAlias: string; destinationNumber: string };
}
const { carriers } = parse(
  readFileSync(new URL('./e2e/switchboard.e2e.yaml', import.meta.url), 'utf8'),
) as { carriers: CarriersSection };

// Fictional numbers; a CallSid without long digit runs, so no log line looks like a number.
const params: FormParams = {
  AccountSid: carriers.twilio.accountSid,
  CallSid: 'CAe2eabcdef0a1b2c3d4e5f6a7b8c9d0e1',
  From: '+3225550142',
  To: '+3225550100',
  CallStatus: 'ringing',
  Direction: 'inbound',
};

function postForm(path: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${CONTROL_PLANE}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params as Record<string, string>).toString(),
  });
}

describe('carrier webhooks on the running control plane', () => {
  beforeAll(async () => {
    await useStack();
  });

  it('serves TwiML that dials the gateway to a request signed for the public URL', async () => {
    const signature = computeTwilioSignature(
      carriers.twilio.authToken,
      `${carriers.twilio.publicUrl}/twilio/voice`,
      params,
    );
    const res = await postForm('/twilio/voice', { 'x-twilio-signature': signature });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/xml');
    const twiml = await res.text();
    expect(twiml).toMatch(
      /<Response><Dial action="https:\/\/switchboard-e2e\.example\.org\/twilio\/dial-status\?leg=agent"[^>]*><Sip>sip:\+3225550100@[^<]+<\/Sip><\/Dial><\/Response>$/,
    );
    expect(twiml).not.toContain('+3225550142');
  });

  it('refuses forged requests with 403', async () => {
    const forged = computeTwilioSignature(
      'not-the-auth-token-0123456789',
      `${carriers.twilio.publicUrl}/twilio/voice`,
      params,
    );
    const hostDerived = computeTwilioSignature(
      carriers.twilio.authToken,
      `${CONTROL_PLANE}/twilio/voice`,
      params,
    );
    const attempts: Array<Record<string, string>> = [
      { 'x-twilio-signature': forged },
      { 'x-twilio-signature': hostDerived },
      {},
    ];
    for (const headers of attempts) {
      const res = await postForm('/twilio/voice', headers);
      expect(res.status).toBe(403);
      expect(await res.text()).not.toContain('<Response');
    }
    const metrics = await (await fetch(`${CONTROL_PLANE}/metrics`)).text();
    expect(metrics).toMatch(
      /switchboard_webhook_requests_total\{route="twilio_voice",result="forbidden_signature"\} [3-9]/,
    );
  });

  it('serves the Cloudonix document to the shared secret and 401 without it', async () => {
    const ok = await postForm('/cloudonix/voice', {
      authorization: `Bearer ${carriers.cloudonix.secret}`,
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain(
      `<Service provider="${carriers.cloudonix.providerAlias}">${carriers.cloudonix.destinationNumber}</Service>`,
    );
    expect((await postForm('/cloudonix/voice', {})).status).toBe(401);
  });
});
