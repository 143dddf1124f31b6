import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Hono } from 'hono';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../test/harness/redis-server.js';
import { pseudonymizerFromConfig } from '../admission/index.js';
import { parseConfig, type SwitchboardConfig } from '../config/index.js';
import { createTranscriptStore } from '../privacy/index.js';
import type { ReconcilerStatus } from '../provisioning/index.js';
import type { CallEventsView, LiveCall } from '../telemetry/call-events.js';
import { createLogger } from '../telemetry/index.js';
import { consoleAuditStream, createConsole, DEV_CONSOLE_PASSWORD_HASH } from './index.js';

const PASSWORD = 'dev-console-password';
const CALLER = '+32470123456';
const CALLER_FORMS = [CALLER, '32470123456', '0470123456', '0470 12 34 56', '470123456'];
const ORIGIN = 'http://console.test';

let server: TestRedis;
let redis: Redis;
const logLines: string[] = [];
const logger = createLogger(
  { level: 'debug' },
  new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  }),
);

function configFor(overrides: Record<string, unknown> = {}): SwitchboardConfig {
  return parseConfig({
    deployment: `console-test-${randomBytes(4).toString('hex')}`,
    admission: {
      keyPrefix: `ca${randomBytes(4).toString('hex')}`,
      pseudonymKeys: [{ id: 'k1', secret: 'console-test-secret-0123456789' }],
    },
    privacy: { keyPrefix: `ct${randomBytes(4).toString('hex')}` },
    console: {
      users: [{ name: 'operator', passwordHash: DEV_CONSOLE_PASSWORD_HASH }],
      maxLoginFailures: 3,
      loginLockSeconds: 60,
    },
    ...overrides,
  });
}

const live: LiveCall[] = [];
const events: CallEventsView = {
  liveCalls: () => live,
  latencySamples: () => [
    { at: Date.now() - 2000, stages: { end_of_turn: 0.5, stt: 0.15, turn_gap: 0.61 } },
    { at: Date.now() - 1000, stages: { end_of_turn: 0.48, llm_first_token: 0.3, turn_gap: 0.7 } },
  ],
};
const provisioningStatus: ReconcilerStatus = {
  runs: 3,
  lastRunAt: new Date(),
  lastTrigger: 'periodic',
  lastError: 'livekit unreachable: ECONNREFUSED',
};

/** A browser-like client: keeps cookies, sends Origin and a source address. */
function client(app: Hono, opts: { source?: string } = {}) {
  const jar = new Map<string, string>();
  const request = async (
    path: string,
    init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ) => {
    const headers: Record<string, string> = {
      host: 'console.test',
      cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
      ...(init.method === 'POST' ? { origin: ORIGIN } : {}),
      ...init.headers,
    };
    const body = init.form ? new URLSearchParams(init.form).toString() : undefined;
    if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await app.request(
      `${ORIGIN}${path}`,
      { method: init.method ?? 'GET', headers, body },
      { incoming: { socket: { remoteAddress: opts.source ?? '192.0.2.10' } } },
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
  return {
    jar,
    request,
    tokenFrom,
    async login(password = PASSWORD, name = 'operator') {
      const form = await request('/console/login');
      const token = tokenFrom(await form.text())!;
      return request('/console/login', {
        method: 'POST',
        form: { _csrf: token, name, password },
      });
    },
    /** The page's CSRF token, as the browser would read it from the form. */
    async csrf() {
      return tokenFrom(await (await request('/console/erase')).text())!;
    },
  };
}

function mount(config: SwitchboardConfig, clock?: () => number): Hono {
  const app = new Hono();
  app.route(
    '/console',
    createConsole(
      { config, logger, redis, events, provisioning: () => provisioningStatus },
      { clock },
    ),
  );
  return app;
}

async function seedCall(config: SwitchboardConfig, callId: string) {
  const store = createTranscriptStore({ redis, config: config.privacy, logger });
  const pseudonym = pseudonymizerFromConfig(config.admission).pseudonymize(CALLER)!;
  await store.startCall({ callId, pseudonym, language: 'en', startedAt: Date.now() - 30_000 });
  await store.addTurn(callId, {
    role: 'agent',
    text: 'Hello, helpdesk here.',
    language: 'en',
    at: Date.now() - 29_000,
  });
  await store.addTurn(callId, {
    role: 'caller',
    text: 'My badge does not work',
    language: 'en',
    at: Date.now() - 20_000,
  });
  await store.finishCall(callId, { outcome: 'answered', endedAt: Date.now() - 5_000 });
  // An admission rate-limit entry for the same caller, as a real admitted call leaves one.
  await redis.zadd(`${config.admission.keyPrefix}:rl:{c:${pseudonym}}`, Date.now(), callId);
  return { store, pseudonym };
}

const auditEntries = async (config: SwitchboardConfig) =>
  (await redis.xrange(consoleAuditStream(config.deployment), '-', '+')).map(([, f]) => {
    const o: Record<string, string> = {};
    for (let i = 0; i < f.length; i += 2) o[f[i]!] = f[i + 1]!;
    return o;
  });

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url, { commandTimeout: 2000 });
});
afterAll(async () => {
  redis.disconnect();
  await server.stop();
});
beforeEach(() => {
  live.length = 0;
  logLines.length = 0;
});

describe('console access', () => {
  const routes: Array<[string, string]> = [
    ['GET', '/console/'],
    ['GET', '/console/live'],
    ['GET', '/console/calls/SCL_abc'],
    ['GET', '/console/erase'],
    ['POST', '/console/erase'],
    ['GET', '/console/provisioning'],
    ['GET', '/console/latency'],
    ['GET', '/console/audit'],
    ['POST', '/console/logout'],
    ['GET', '/console/anything-else'],
  ];

  it.each(routes)(
    '%s %s answers a redirect to the login or 401 without a session',
    async (method, path) => {
      const app = mount(configFor());
      const res = await client(app).request(path, {
        method,
        form: method === 'POST' ? { number: CALLER } : undefined,
      });
      if (method === 'GET' && path !== '/console/live') {
        expect(res.status).toBe(303);
        expect(res.headers.get('location')).toBe('/console/login');
      } else {
        expect(res.status).toBe(401);
      }
      expect(await res.text()).not.toContain('SCL_');
    },
  );

  it('stays closed with a clear message when no user is configured', async () => {
    const app = mount(configFor({ console: {} }));
    for (const path of ['/console/', '/console/login', '/console/calls/SCL_abc']) {
      const res = await client(app).request(path);
      expect(res.status).toBe(503);
      expect(await res.text()).toMatch(/no users.*console\.users.*hash-password/s);
    }
  });

  it('redirects /console to /console/ and serves its assets without a session', async () => {
    const app = mount(configFor());
    const c = client(app);
    const root = await c.request('/console');
    expect(root.status).toBe(308);
    expect(root.headers.get('location')).toBe('/console/');
    const uplot = await c.request('/console/assets/uPlot.iife.min.js');
    expect(uplot.status).toBe(200);
    expect(await uplot.text()).toContain('uPlot');
    expect((await c.request('/console/assets/nope.js')).status).toBe(404);
  });

  it('refuses a wrong password and an unknown name, and audits both without the password', async () => {
    const config = configFor();
    const c = client(mount(config));
    const wrong = await c.login('not-the-password');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('Wrong name or password');
    const unknown = await c.login(PASSWORD, 'mallory');
    expect(unknown.status).toBe(401);
    expect(c.jar.has('__Secure-sb-console')).toBe(false);
    expect((await c.request('/console/')).status).toBe(303);
    const audit = await auditEntries(config);
    expect(audit.map((e) => [e.action, e.operator])).toEqual([
      ['login_failed', 'operator'],
      ['login_failed', undefined],
    ]);
    expect(JSON.stringify(audit) + logLines.join('')).not.toMatch(
      /not-the-password|mallory|dev-console-password/,
    );
  });

  it('logs in with a session cookie that is HttpOnly, Secure, SameSite=Strict on /console, and sends the security headers', async () => {
    const config = configFor();
    const c = client(mount(config));
    const res = await c.login();
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console/');
    const cookie = res.headers.getSetCookie().find((s) => s.startsWith('__Secure-sb-console='))!;
    expect(cookie).toMatch(/^__Secure-sb-console=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain('Path=/console');
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('Secure');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain(`Max-Age=${480 * 60}`);

    const home = await c.request('/console/');
    expect(home.status).toBe(200);
    const csp = home.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(home.headers.get('x-frame-options')).toBe('DENY');
    expect(home.headers.get('referrer-policy')).toBe('no-referrer');
    expect(home.headers.get('cache-control')).toBe('no-store');
    const text = await home.text();
    expect(text).not.toMatch(/<script>|<script(?![^>]*\bsrc=)[^>]*>[^<]/);
    // The session id is kept in Redis only as a hash.
    const id = c.jar.get('__Secure-sb-console')!;
    const keys = await redis.keys(`switchboard:${config.deployment}:console-session:*`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toContain(id);
    expect(await auditEntries(config)).toEqual([
      expect.objectContaining({ action: 'login', operator: 'operator', source: '192.0.2.10' }),
    ]);
  });

  it('makes an address wait after a few failed logins, even with the right password; other addresses still log in', async () => {
    let now = Date.now();
    const app = mount(configFor(), () => now);
    const attacker = client(app, { source: '198.51.100.7' });
    for (let i = 0; i < 3; i++) expect((await attacker.login(`guess-${i}`)).status).toBe(401);
    const locked = await attacker.login();
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(50);
    expect(await locked.text()).toMatch(/wait \d+ s/);
    expect(attacker.jar.has('__Secure-sb-console')).toBe(false);

    expect((await client(app, { source: '192.0.2.44' }).login()).status).toBe(303);

    now += 61_000;
    expect((await attacker.login()).status).toBe(303);
  });

  it('refuses a login post without the login token or from another origin', async () => {
    const c = client(mount(configFor()));
    await c.request('/console/login');
    const noToken = await c.request('/console/login', {
      method: 'POST',
      form: { name: 'operator', password: PASSWORD },
    });
    expect(noToken.status).toBe(403);
    const token = c.tokenFrom(await (await c.request('/console/login')).text())!;
    const foreign = await c.request('/console/login', {
      method: 'POST',
      form: { _csrf: token, name: 'operator', password: PASSWORD },
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect(c.jar.has('__Secure-sb-console')).toBe(false);
  });

  it('ends a session after sessionMinutes and on logout', async () => {
    let now = Date.now();
    const config = configFor({
      console: {
        users: [{ name: 'operator', passwordHash: DEV_CONSOLE_PASSWORD_HASH }],
        sessionMinutes: 5,
      },
    });
    const app = mount(config, () => now);
    const c = client(app);
    expect((await c.login()).status).toBe(303);
    expect((await c.request('/console/')).status).toBe(200);
    now += 5 * 60_000 + 1;
    expect((await c.request('/console/')).status).toBe(303);

    expect((await c.login()).status).toBe(303);
    const stolen = c.jar.get('__Secure-sb-console')!;
    const out = await c.request('/console/logout', {
      method: 'POST',
      form: { _csrf: await c.csrf() },
    });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/console/login');
    c.jar.set('__Secure-sb-console', stolen);
    expect((await c.request('/console/')).status).toBe(303);
    expect((await auditEntries(config)).map((e) => e.action)).toEqual(['login', 'login', 'logout']);
  });
  it('fails closed when Redis does not answer: no session, no page', async () => {
    const config = configFor();
    const dead = new Redis('redis://127.0.0.1:1', {
      commandTimeout: 200,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      lazyConnect: true,
    });
    dead.on('error', () => undefined);
    const app = new Hono();
    const deps = { config, logger, redis: dead, events, provisioning: () => provisioningStatus };
    app.route('/console', createConsole(deps));
    const c = client(app);
    const login = await c.login();
    expect(login.status).toBe(503);
    expect(c.jar.has('__Secure-sb-console')).toBe(false);
    c.jar.set('__Secure-sb-console', 'a'.repeat(43));
    const home = await c.request('/console/');
    expect(home.status).toBe(503);
    expect(home.headers.get('x-frame-options')).toBe('DENY');
    dead.disconnect();
  });
});

describe('console pages', () => {
  it('shows live calls, recent calls with outcome and pseudonym, and a transcript with its expiry, auditing the opening', async () => {
    const config = configFor();
    const { pseudonym } = await seedCall(config, 'SCL_recent1');
    live.push({
      callId: 'SCL_live1',
      pseudonym,
      trunk: 'dev',
      language: 'nl',
      state: 'active',
      startedAt: Date.now() - 65_000,
    });
    const c = client(mount(config));
    await c.login();
    const home = await (await c.request('/console/')).text();
    expect(home).toContain('SCL_live1');
    expect(home).toMatch(/state-active">active/);
    expect(home).toMatch(/1:0[5-9]/);
    expect(home).toContain('href="/console/calls/SCL_recent1"');
    expect(home).toContain(pseudonym);
    expect(home).toMatch(/class="outcome">answered/);
    const fragment = await c.request('/console/live');
    expect(fragment.status).toBe(200);
    expect(await fragment.text()).toContain('SCL_live1');

    const transcript = await c.request('/console/calls/SCL_recent1');
    expect(transcript.status).toBe(200);
    const text = await transcript.text();
    expect(text).toContain('My badge does not work');
    expect(text).toMatch(/id="expires-at">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    expect(transcript.headers.get('cache-control')).toBe('no-store');
    expect((await c.request('/console/calls/SCL_missing')).status).toBe(404);
    expect((await c.request('/console/calls/..%2Fetc')).status).toBe(404);
    expect((await c.request('/console/calls/call-_32470123456_x')).status).toBe(404);

    const audit = await auditEntries(config);
    expect(audit.filter((e) => e.action === 'transcript_opened')).toEqual([
      { action: 'transcript_opened', operator: 'operator', callId: 'SCL_recent1' },
    ]);
    const auditPage = await (await c.request('/console/audit')).text();
    expect(auditPage).toContain('call SCL_recent1');
    // The audit stream expires with the transcripts.
    const ttl = await redis.pttl(consoleAuditStream(config.deployment));
    expect(ttl).toBeGreaterThan(29 * 86_400_000);
    expect(ttl).toBeLessThanOrEqual(30 * 86_400_000);
  });

  it('escapes what it shows', async () => {
    const config = configFor();
    const store = createTranscriptStore({ redis, config: config.privacy, logger });
    await store.startCall({
      callId: 'SCL_xss',
      pseudonym: undefined,
      language: 'en',
      startedAt: Date.now(),
    });
    await store.addTurn('SCL_xss', {
      role: 'caller',
      text: '<script>alert(1)</script>',
      language: 'en',
      at: Date.now(),
    });
    const c = client(mount(config));
    await c.login();
    const text = await (await c.request('/console/calls/SCL_xss')).text();
    expect(text).not.toContain('<script>alert(1)');
    expect(text).toContain('&lt;script&gt;alert(1)');
  });

  it('shows provisioning drift and the latency chart data from the events', async () => {
    const c = client(mount(configFor()));
    await c.login();
    const prov = await (await c.request('/console/provisioning')).text();
    expect(prov).toContain('livekit unreachable: ECONNREFUSED');
    const latency = await c.request('/console/latency');
    const text = await latency.text();
    expect(text).toContain('/console/assets/uPlot.iife.min.js');
    expect(text).toMatch(/id="latency-data">\s*\{"stages":\["end_of_turn"/);
    expect(text).toMatch(/<td>turn_gap<\/td>\s*<td>2<\/td>/);
  });
});

describe('erasure from the console', () => {
  const erase = (
    c: ReturnType<typeof client>,
    form: Record<string, string>,
    headers?: Record<string, string>,
  ) => c.request('/console/erase', { method: 'POST', form, headers });

  it('refuses a post without the CSRF token, with a wrong one, or from another origin, and erases nothing', async () => {
    const config = configFor();
    const { store, pseudonym } = await seedCall(config, 'SCL_keep1');
    const c = client(mount(config));
    await c.login();
    const token = await c.csrf();
    const other = client(mount(config));
    await other.login();
    const attempts = [
      await erase(c, { number: CALLER }),
      await erase(c, { number: CALLER, _csrf: 'x'.repeat(43) }),
      await erase(c, { number: CALLER, _csrf: await other.csrf() }),
      await erase(c, { number: CALLER, _csrf: token }, { origin: 'https://evil.example' }),
      await erase(
        c,
        { number: CALLER, _csrf: token },
        { origin: 'null', 'sec-fetch-site': 'cross-site' },
      ),
    ];
    expect(attempts.map((r) => r.status)).toEqual([403, 403, 403, 403, 403]);
    expect(await store.get('SCL_keep1')).toBeDefined();
    expect(await redis.zcard(`${config.admission.keyPrefix}:rl:{c:${pseudonym}}`)).toBe(1);
    expect((await auditEntries(config)).some((e) => e.action === 'caller_erased')).toBe(false);
  });

  it('erases the caller, shows the receipt, and never writes or echoes the number', async () => {
    const config = configFor();
    const { store, pseudonym } = await seedCall(config, 'SCL_gone1');
    const c = client(mount(config));
    await c.login();
    // A browser posting the same-origin form under Referrer-Policy no-referrer sends Origin: null.
    const res = await erase(
      c,
      { number: '0470 12 34 56', _csrf: await c.csrf() },
      { origin: 'null', 'sec-fetch-site': 'same-origin' },
    );
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toMatch(/id="receipt-transcripts">1</);
    expect(page).toMatch(/id="receipt-rate-limit">1</);
    expect(page).toMatch(/id="receipt-keys">k1</);
    expect(await store.get('SCL_gone1')).toBeUndefined();
    expect(await redis.zcard(`${config.admission.keyPrefix}:rl:{c:${pseudonym}}`)).toBe(0);

    const audit = await auditEntries(config);
    expect(audit.filter((e) => e.action === 'caller_erased')).toEqual([
      {
        action: 'caller_erased',
        operator: 'operator',
        keyIds: 'k1',
        transcripts: '1',
        rateLimitEntries: '1',
      },
    ]);
    const shown = [page, JSON.stringify(audit), await (await c.request('/console/audit')).text()];
    for (const form of CALLER_FORMS) expect([...shown, ...logLines].join('\n')).not.toContain(form);
    // The receipt names key ids, not the pseudonym that would link it to the caller's calls.
    expect(shown.join('\n')).not.toContain(pseudonym);
    expect(logLines.join('')).toMatch(/"msg":"console caller erased"/);
  });

  it('says so when the value is not a phone number, without repeating it', async () => {
    const c = client(mount(configFor()));
    await c.login();
    const res = await erase(c, { number: 'call-me-maybe', _csrf: await c.csrf() });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain('not a phone number');
    expect(text).not.toContain('call-me-maybe');
  });
});
