import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../test/harness/redis-server.js';
import { pseudonymizerFromConfig } from '../admission/index.js';
import { parseConfig, type SwitchboardConfig } from '../config/index.js';
import { writeOverride } from '../helpdesk/index.js';
import { createLogger } from '../telemetry/index.js';
import { CallbackError } from '../voicemail/callback.js';
import { createMessageStore, type MessageStore } from '../voicemail/index.js';
import type { PlaceCallback } from './context.js';
import { consoleAuditStream, createConsole, DEV_CONSOLE_PASSWORD_HASH } from './index.js';

const PASSWORD = 'dev-console-password';
const CALLER = '+32470123456';
const ORIGIN = 'http://console.test';
const logger = createLogger({ level: 'silent' });

let server: TestRedis;
let redis: Redis;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url, { commandTimeout: 2000 });
});
afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

function configFor(overrides: Record<string, unknown> = {}): SwitchboardConfig {
  return parseConfig({
    deployment: `console-vm-${randomBytes(4).toString('hex')}`,
    admission: {
      keyPrefix: `ca${randomBytes(4).toString('hex')}`,
      pseudonymKeys: [{ id: 'k1', secret: 'console-test-secret-0123456789' }],
    },
    privacy: { keyPrefix: `cv${randomBytes(4).toString('hex')}` },
    console: { users: [{ name: 'operator', passwordHash: DEV_CONSOLE_PASSWORD_HASH }] },
    voicemail: { callbackKeys: [{ id: 'k1', key: 'ab'.repeat(32) }] },
    ...overrides,
  });
}

interface Setup {
  config: SwitchboardConfig;
  store: MessageStore;
  calls: string[];
  request: (path: string, form?: Record<string, string>) => Promise<Response>;
  csrf: () => Promise<string>;
}

/** A logged-in browser on a console whose callbacks are recorded, not dialled. */
async function setup(
  opts: { overrides?: Record<string, unknown>; placeCallback?: PlaceCallback } = {},
): Promise<Setup> {
  const config = configFor(opts.overrides);
  const pseudonymizer = pseudonymizerFromConfig(config.admission);
  const store = createMessageStore({ ...config, redis, logger, pseudonymizer });
  const calls: string[] = [];
  const recording: PlaceCallback = async ({ messageId, store: used }) => {
    calls.push(messageId);
    await used.recordCallback(messageId, 'dialing');
    return { state: 'dialing' };
  };
  const app = new Hono();
  app.route(
    '/console',
    createConsole({
      config,
      logger,
      redis,
      events: { liveCalls: () => [], latencySamples: () => [] },
      provisioning: () => ({ runs: 0 }),
      placeCallback: opts.placeCallback ?? recording,
    }),
  );
  const jar = new Map<string, string>();
  const request = async (path: string, form?: Record<string, string>) => {
    const headers: Record<string, string> = {
      host: 'console.test',
      cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
    };
    if (form) {
      headers.origin = ORIGIN;
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const res = await app.request(
      `${ORIGIN}${path}`,
      {
        method: form ? 'POST' : 'GET',
        headers,
        body: form ? new URLSearchParams(form).toString() : undefined,
      },
      { incoming: { socket: { remoteAddress: '192.0.2.10' } } },
    );
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const [name, value] = pair!.split('=');
      if (/Max-Age=0/.test(cookie) || value === '') jar.delete(name!);
      else jar.set(name!, value!);
    }
    return res;
  };
  const tokenFrom = (text: string) => /name="_csrf" value="([^"]+)"/.exec(text)?.[1];
  const loginToken = tokenFrom(await (await request('/console/login')).text())!;
  await request('/console/login', { _csrf: loginToken, name: 'operator', password: PASSWORD });
  const csrf = async () => tokenFrom(await (await request('/console/messages')).text())!;
  return { config, store, calls, request, csrf };
}

const auditEntries = async (config: SwitchboardConfig) =>
  (await redis.xrange(consoleAuditStream(config.deployment), '-', '+')).map(([, f]) => {
    const o: Record<string, string> = {};
    for (let i = 0; i < f.length; i += 2) o[f[i]!] = f[i + 1]!;
    return o;
  });

async function seed(store: MessageStore) {
  const withCallback = await store.save({
    callId: 'SCL_withcallback',
    pseudonym: 'k1_0123456789abcdef0123456789abcdef',
    language: 'nl',
    text: 'Mijn afspraak van morgen moet verzet worden, bel mij op 0470 12 34 56',
    reason: 'closed',
    callbackNumber: CALLER,
  });
  const noConsent = await store.save({
    callId: 'twilio:CAa1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6',
    language: 'fr',
    text: 'Je rappellerai demain.',
    reason: 'carrier_fallback',
  });
  const reached = await store.save({
    language: 'en',
    text: 'Please call me about my badge.',
    reason: 'transfer_failed',
    callbackNumber: CALLER,
  });
  await store.recordCallback(reached.id, 'answered');
  return { withCallback, noConsent, reached };
}

const row = (page: string, id: string) =>
  new RegExp(`<tr data-message-id="${id}">([\\s\\S]*?)</tr>`).exec(page)?.[1] ?? '';

describe('console Messages page', () => {
  it('needs a session: the page redirects to the login, the call-back post gets 401', async () => {
    const config = configFor();
    const app = new Hono();
    app.route(
      '/console',
      createConsole({
        config,
        logger,
        redis,
        events: { liveCalls: () => [], latencySamples: () => [] },
        provisioning: () => ({ runs: 0 }),
      }),
    );
    const page = await app.request(`${ORIGIN}/console/messages`);
    expect(page.status).toBe(303);
    const post = await app.request(`${ORIGIN}/console/messages/vm_${'0'.repeat(24)}/callback`, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(post.status).toBe(401);
  });

  it('lists messages with their facts, and "Call back" only while the caller is not reached', async () => {
    const { store, request } = await setup();
    const { withCallback, noConsent, reached } = await seed(store);
    const res = await request('/console/messages');
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('href="/console/messages">Messages</a>');
    const first = row(page, withCallback.id);
    expect(first).toContain('Mijn afspraak van morgen moet verzet worden');
    expect(first).toContain('k1_0123456789abcdef0123456789abcdef');
    expect(first).toMatch(/<td>nl<\/td>[\s\S]*<td>closed<\/td>/);
    expect(first).toContain('requested');
    expect(first).toContain(`action="/console/messages/${withCallback.id}/callback"`);
    expect(first).toContain('not delivered');
    expect(row(page, noConsent.id)).toContain('not requested');
    expect(row(page, noConsent.id)).toContain('withheld');
    expect(row(page, noConsent.id)).not.toContain('Call back');
    expect(row(page, reached.id)).toContain('answered');
    expect(row(page, reached.id)).not.toContain('Call back');
    // Never a number: not the callback number, not one the caller spoke.
    for (const digits of ['470123456', '470 12 34 56', '0470']) expect(page).not.toContain(digits);
  });

  it('"Call back" places the callback through the injected function and audits it', async () => {
    const { config, store, calls, request, csrf } = await setup();
    const { withCallback } = await seed(store);
    const res = await request(`/console/messages/${withCallback.id}/callback`, {
      _csrf: await csrf(),
    });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain(`Message ${withCallback.id}: the caller picked up`);
    expect(calls).toEqual([withCallback.id]);
    expect((await store.get(withCallback.id))?.callback.state).toBe('dialing');
    expect(row(page, withCallback.id)).not.toContain('Call back');
    expect(await auditEntries(config)).toContainEqual({
      action: 'callback_placed',
      operator: 'operator',
      messageId: withCallback.id,
      state: 'dialing',
    });
    const audit = await (await request('/console/audit')).text();
    expect(audit).toContain(`message ${withCallback.id}: dialing`);
  });

  it('refuses a post without the CSRF token, for a message without consent, and an unknown id', async () => {
    const { config, store, calls, request, csrf } = await setup();
    const { withCallback, noConsent, reached } = await seed(store);
    expect((await request(`/console/messages/${withCallback.id}/callback`, {})).status).toBe(403);
    const token = await csrf();
    for (const id of [noConsent.id, reached.id]) {
      const res = await request(`/console/messages/${id}/callback`, { _csrf: token });
      expect(res.status).toBe(409);
      expect(await res.text()).toContain(`Message ${id} cannot be called back`);
    }
    const unknown = await request(`/console/messages/vm_${'0'.repeat(24)}/callback`, {
      _csrf: token,
    });
    expect(unknown.status).toBe(404);
    expect(
      (await request('/console/messages/+32470123456/callback', { _csrf: token })).status,
    ).toBe(404);
    expect(calls).toEqual([]);
    expect((await auditEntries(config)).filter((e) => e.action === 'callback_placed')).toEqual([]);
  });

  it('shows a refused callback’s reason (no trunk configured) without auditing a call', async () => {
    const { config, store, request, csrf } = await setup({
      placeCallback: () =>
        Promise.reject(
          new CallbackError('not_configured', 'set voicemail.callback.trunk to call callers back'),
        ),
    });
    const { withCallback } = await seed(store);
    const res = await request(`/console/messages/${withCallback.id}/callback`, {
      _csrf: await csrf(),
    });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('set voicemail.callback.trunk to call callers back');
    expect((await store.get(withCallback.id))?.callback.state).toBe('requested');
    expect((await auditEntries(config)).filter((e) => e.action === 'callback_placed')).toEqual([]);
  });

  it('shows the helpdesk open or closed, with the operator override', async () => {
    const { config, request } = await setup({
      overrides: { helpdesk: { hours: { weekly: {} } } },
    });
    let page = await (await request('/console/messages')).text();
    expect(page).toMatch(/id="helpdesk-state"[^>]*>\s*closed/);
    expect(page).toContain('none (the opening hours decide)');
    expect(page).toContain('The helpdesk has no opening hours at the moment.');
    expect(page).toContain('No stored message.');
    await writeOverride(redis, config.privacy.keyPrefix, { state: 'open' });
    page = await (await request('/console/messages')).text();
    expect(page).toMatch(/id="helpdesk-state"[^>]*>\s*open/);
    expect(page).toMatch(/id="helpdesk-override">\s*open until lifted/);
  });
});
