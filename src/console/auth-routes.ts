import type { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { DEV_CONSOLE_PASSWORD_HASH } from './config.js';
import {
  LOGIN_COOKIE,
  SESSION_COOKIE,
  sourceAddress,
  type ConsoleContext,
  type ConsoleEnv,
  type ConsoleParts,
} from './context.js';
import { createLoginTokens, isSameOriginPost } from './csrf.js';
import { verifyPassword } from './password-hash.js';
import { postOrigin } from './request-guards.js';
import { loginForm } from './views/forms.js';
import { BASE, page } from './views/layout.js';

const COOKIE_BASE = { path: BASE, httpOnly: true, secure: true, sameSite: 'Strict' } as const;
const MAX_PASSWORD_CHARS = 1024;

/** Login (with its own CSRF token, since there is no session yet) and logout. */
export function mountAuthRoutes(app: Hono<ConsoleEnv>, parts: ConsoleParts): void {
  const { config, sessions, throttle, audit } = parts;
  const logger = parts.logger;
  const loginTokens = createLoginTokens();

  const showLogin = (c: ConsoleContext, status: 200 | 401 | 403 | 429, message?: string) => {
    const { cookie, token } = loginTokens.issue();
    setCookie(c, LOGIN_COOKIE, cookie, { ...COOKIE_BASE, prefix: 'secure', maxAge: 1800 });
    return c.html(page({ title: 'Log in' }, loginForm({ token, message })), status);
  };

  app.get('/login', async (c) => {
    const id = getCookie(c, SESSION_COOKIE, 'secure');
    if (id && (await sessions.get(id))) return c.redirect(`${BASE}/`, 303);
    return showLogin(c, 200);
  });

  app.post('/login', async (c) => {
    const source = sourceAddress(c);
    if (!isSameOriginPost(postOrigin(c))) return c.text('cross-origin request refused', 403);
    const wait = throttle.waitMs(source);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      logger.warn({ source, waitSeconds: seconds }, 'console login throttled');
      c.header('Retry-After', String(seconds));
      return showLogin(c, 429, `Too many failed logins from your address: wait ${seconds} s.`);
    }
    const form = await c.req.parseBody();
    const field = (name: string) => (typeof form[name] === 'string' ? form[name] : undefined);
    if (!loginTokens.valid(getCookie(c, LOGIN_COOKIE, 'secure'), field('_csrf')))
      return showLogin(c, 403, 'The login form expired; try again.');

    const name = field('name') ?? '';
    const password = (field('password') ?? '').slice(0, MAX_PASSWORD_CHARS);
    const user = config.console.users.find((u) => u.name === name);
    // An unknown name costs the same scrypt as a known one, so timing does not tell them apart.
    const matches = await verifyPassword(password, user?.passwordHash ?? DEV_CONSOLE_PASSWORD_HASH);
    if (!user || !matches) {
      throttle.recordFailure(source);
      logger.warn({ source, user: user?.name }, 'console login failed');
      await audit
        .write({ action: 'login_failed', ...(user ? { operator: user.name } : {}), source })
        .catch((err: unknown) => logger.error({ err }, 'console audit entry not written'));
      return showLogin(c, 401, 'Wrong name or password.');
    }

    throttle.recordSuccess(source);
    // Written before the session exists: a login the audit log cannot record does not happen.
    await audit.write({ action: 'login', operator: user.name, source });
    const { id } = await sessions.create(user.name);
    deleteCookie(c, LOGIN_COOKIE, { ...COOKIE_BASE, prefix: 'secure' });
    setCookie(c, SESSION_COOKIE, id, {
      ...COOKIE_BASE,
      prefix: 'secure',
      maxAge: config.console.sessionMinutes * 60,
    });
    logger.info({ source, user: user.name }, 'console login');
    return c.redirect(`${BASE}/`, 303);
  });
}

/** Logout is a POST behind the session and CSRF checks (mounted after them). */
export function mountLogout(app: Hono<ConsoleEnv>, parts: ConsoleParts): void {
  app.post('/logout', async (c) => {
    const session = c.get('session');
    await parts.sessions.destroy(session.id);
    deleteCookie(c, SESSION_COOKIE, { ...COOKIE_BASE, prefix: 'secure' });
    await parts.audit
      .write({ action: 'logout', operator: session.user })
      .catch((err: unknown) => parts.logger.error({ err }, 'console audit entry not written'));
    parts.logger.info({ user: session.user }, 'console logout');
    return c.redirect(`${BASE}/login`, 303);
  });
}
