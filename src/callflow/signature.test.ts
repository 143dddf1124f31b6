import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import {
  computeTwilioSignature,
  signedUrl,
  verifyTwilioSignature,
  type FormParams,
} from './signature.js';

// Twilio's published example (docs, "Validating requests"): fictional numbers and a dummy token.
const VECTOR = {
  authToken: '12345',
  url: 'https://mycompany.com/myapp.php?foo=1&bar=2',
  params: {
    CallSid: 'CA1234567890ABCDE',
    Caller: '+12349013030',
    Digits: '1234',
    From: '+12349013030',
    To: '+18005551212',
  },
  signature: '0/KCTR6DLpKmkAf8muzZqo1nDgQ=',
};

describe('Twilio request signature', () => {
  it('reproduces the published test vector', () => {
    expect(computeTwilioSignature(VECTOR.authToken, VECTOR.url, VECTOR.params)).toBe(
      VECTOR.signature,
    );
    expect(
      verifyTwilioSignature(VECTOR.authToken, VECTOR.url, VECTOR.params, VECTOR.signature),
    ).toBe(true);
  });

  it('does not depend on the order fields arrive in', () => {
    const reversed = Object.fromEntries(Object.entries(VECTOR.params).reverse());
    expect(computeTwilioSignature(VECTOR.authToken, VECTOR.url, reversed)).toBe(VECTOR.signature);
  });

  it('rejects a changed value, URL, token, or an extra field', () => {
    const { authToken, url, params, signature } = VECTOR;
    expect(verifyTwilioSignature(authToken, url, { ...params, Digits: '1235' }, signature)).toBe(
      false,
    );
    expect(verifyTwilioSignature(authToken, `${url}&x=1`, params, signature)).toBe(false);
    expect(verifyTwilioSignature('12346', url, params, signature)).toBe(false);
    expect(verifyTwilioSignature(authToken, url, { ...params, Extra: '' }, signature)).toBe(false);
  });

  it('rejects missing, empty, truncated and differently sized signatures', () => {
    const { authToken, url, params, signature } = VECTOR;
    for (const bad of [undefined, '', signature.slice(0, -1), `${signature}=`, 'x'.repeat(400)]) {
      expect(verifyTwilioSignature(authToken, url, params, bad)).toBe(false);
    }
  });

  it('agrees with the official twilio helper on varied input, repeated fields included', () => {
    const cases: Array<[string, FormParams]> = [
      ['https://a.example.org/twilio/voice', { b: '2', a: '1', B: 'upper' }],
      ['https://a.example.org/x?leg=agent', { Msg: 'é ü 🚑 <&>"\r\n', Empty: '' }],
      ['http://127.0.0.1:8080/p', { Tag: ['z', 'a', 'z'], One: 'x' }],
    ];
    for (const [url, params] of cases) {
      const ours = computeTwilioSignature('token-for-test', url, params);
      expect(ours).toBe(twilio.getExpectedTwilioSignature('token-for-test', url, params));
      expect(twilio.validateRequest('token-for-test', ours, url, params)).toBe(true);
    }
  });

  it('accepts the URL with or without its default port, whichever Twilio signed', () => {
    const { authToken, params } = VECTOR;
    const withPort = 'https://switchboard.example.org:443/twilio/voice?leg=agent';
    const withoutPort = 'https://switchboard.example.org/twilio/voice?leg=agent';
    const signedWithPort = computeTwilioSignature(authToken, withPort, params);
    const signedWithout = computeTwilioSignature(authToken, withoutPort, params);
    expect(signedWithPort).not.toBe(signedWithout);
    for (const signature of [signedWithPort, signedWithout]) {
      expect(verifyTwilioSignature(authToken, withoutPort, params, signature)).toBe(true);
      expect(verifyTwilioSignature(authToken, withPort, params, signature)).toBe(true);
    }
    // Another port is another URL.
    const otherPort = computeTwilioSignature(
      authToken,
      'https://switchboard.example.org:8443/twilio/voice?leg=agent',
      params,
    );
    expect(verifyTwilioSignature(authToken, withoutPort, params, otherPort)).toBe(false);
  });
});

describe('signedUrl', () => {
  it('uses the configured public base and the received query, never the request host', () => {
    expect(
      signedUrl(
        'https://switchboard.example.org',
        '/twilio/dial-status',
        'http://10.0.0.5:8080/twilio/dial-status?leg=agent',
      ),
    ).toBe('https://switchboard.example.org/twilio/dial-status?leg=agent');
    expect(
      signedUrl('https://h.example.org/hooks/', '/twilio/voice', 'http://x/twilio/voice'),
    ).toBe('https://h.example.org/hooks/twilio/voice');
  });
});
