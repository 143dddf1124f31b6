import { describe, expect, it } from 'vitest';
import {
  CALLER,
  CLOUDONIX_SECRET,
  LOCAL_BASE,
  cloudonixRequest,
  pseudonymizer,
  testApp,
  testConfig,
} from '../../test/harness/callflow-fixtures.js';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('Cloudonix voice webhook', () => {
  const { app, logs } = testApp(testConfig('dev'));

  it('serves the Service document to a bearer or basic-auth secret', async () => {
    for (const authorization of [
      `Bearer ${CLOUDONIX_SECRET}`,
      `bearer ${CLOUDONIX_SECRET}`,
      basic('cloudonix', CLOUDONIX_SECRET),
    ]) {
      const res = await cloudonixRequest(app, { authorization });
      expect(res.status, authorization.split(' ')[0]).toBe(200);
      expect(await res.text()).toContain(
        '<Service provider="switchboard_lk">+3225550100</Service>',
      );
    }
  });

  it('answers 401 to a missing, wrong or malformed secret', async () => {
    const wrong = [
      null,
      '',
      'Bearer',
      `Bearer ${CLOUDONIX_SECRET}x`,
      `Bearer ${CLOUDONIX_SECRET.slice(0, -1)}`,
      basic(CLOUDONIX_SECRET, 'nope'),
      basic('cloudonix', ''),
      `Basic ${Buffer.from(CLOUDONIX_SECRET).toString('base64')}`,
      `Token ${CLOUDONIX_SECRET}`,
    ];
    for (const authorization of wrong) {
      const res = await cloudonixRequest(app, { authorization });
      expect(res.status, String(authorization)).toBe(401);
      expect(await res.text()).not.toContain('<Response');
    }
  });

  it('checks the secret before the body: 401 even for a wrong content type', async () => {
    const res = await cloudonixRequest(app, {
      authorization: null,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(401);
  });

  it('answers 405, 415 and 413 to an authenticated client', async () => {
    const get = await app.request(`${LOCAL_BASE}/cloudonix/voice`, {
      headers: { authorization: `Bearer ${CLOUDONIX_SECRET}` },
    });
    expect(get.status).toBe(405);
    const json = await cloudonixRequest(app, { headers: { 'content-type': 'application/json' } });
    expect(json.status).toBe(415);
    const big = await cloudonixRequest(app, { params: { Padding: 'x'.repeat(20_000) } });
    expect(big.status).toBe(413);
  });

  it('logs the caller pseudonym only', () => {
    expect(logs()).toContain(pseudonymizer.pseudonymize(CALLER)!);
    expect(logs()).not.toContain(CALLER.slice(1));
  });

  it('has no route when Cloudonix is disabled (404)', async () => {
    const disabled = testApp(testConfig('dev', {}, { cloudonix: { enabled: false } }));
    expect((await cloudonixRequest(disabled.app)).status).toBe(404);
  });
});
