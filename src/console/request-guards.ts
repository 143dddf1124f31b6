import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { SESSION_COOKIE, type ConsoleEnv, type ConsoleParts } from './context.js';
import { isSameOriginPost, tokensMatch } from './csrf.js';
import { BASE } from './views/layout.js';

/**
 * Scripts and styles from the console only (no inline script, no CDN), no framing, no referrer,
 * and nothing kept in any cache: the pages carry personal data.
 */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header(
    'Content-Security-Policy',
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  );
  c.header('X-Frame-Options', 'DENY');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Cross-Origin-Opener-Policy', 'same-origin');
  c.header('Cross-Origin-Resource-Policy', 'same-origin');
  if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
};

export const postOrigin = (c: Context) => ({
  origin: c.req.header('origin'),
  host: c.req.header('host'),
  secFetchSite: c.req.header('sec-fetch-site'),
});

/**
 * Every route after this one needs a live session: pages redirect to the login, anything else
 * (the live-calls fragment, posts) gets 401.
 */
export function requireSession(parts: ConsoleParts): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const id = getCookie(c, SESSION_COOKIE, 'secure');
    const session = id ? await parts.sessions.get(id) : undefined;
    if (!id || !session) {
      const isPage = c.req.method === 'GET' && c.req.path !== `${BASE}/live`;
      return isPage ? c.redirect(`${BASE}/login`, 303) : c.text('log in first', 401);
    }
    c.set('session', { ...session, id });
    await next();
  };
}

/** Every POST: the Origin check, then the synchronizer token bound to the session. */
export const requireCsrf: MiddlewareHandler<ConsoleEnv> = async (c, next) => {
  if (c.req.method !== 'POST') return next();
  if (!isSameOriginPost(postOrigin(c))) return c.text('cross-origin request refused', 403);
  const form = await c.req.parseBody();
  const token = typeof form._csrf === 'string' ? form._csrf : undefined;
  if (!tokensMatch(c.get('session').csrfToken, token))
    return c.text('missing or wrong CSRF token; reload the page and try again', 403);
  await next();
};
