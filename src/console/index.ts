/**
 * The operator console at `/console/`: live and recent calls, transcripts, erasure, provisioning
 * drift, latency, and an audit log, behind a login. The control plane mounts it with
 * `app.route('/console', createConsole(deps))`.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { pseudonymizerFromConfig } from '../admission/index.js';
import { createOpeningHours } from '../helpdesk/index.js';
import { createTranscriptStore, retentionSeconds } from '../privacy/index.js';
import { placeCallback } from '../voicemail/callback.js';
import { createMessageStore } from '../voicemail/index.js';
import { loadAssets } from './assets.js';
import { createAuditLog } from './audit-log.js';
import { mountAuthRoutes, mountLogout } from './auth-routes.js';
import type { ConsoleDeps, ConsoleEnv, ConsoleParts } from './context.js';
import { createLoginThrottle } from './login-throttle.js';
import { mountPages } from './page-routes.js';
import { requireCsrf, requireSession, securityHeaders } from './request-guards.js';
import { createSessionStore } from './sessions.js';
import { BASE } from './views/layout.js';

export type { ConsoleDeps } from './context.js';
export { consoleAuditStream, type StoredAuditEntry } from './audit-log.js';
export {
  checkConsole,
  consoleConfigSchema,
  DEV_CONSOLE_PASSWORD_HASH,
  type ConsoleConfig,
} from './config.js';
export { consoleHashPasswordCommand } from './hash-password-command.js';
export { hashPassword, verifyPassword } from './password-hash.js';

const NO_USERS =
  'The console has no users, so it stays closed. Add console.users to switchboard.yaml (hash a password with `switchboard console hash-password`) and restart the control plane.';

export function createConsole(deps: ConsoleDeps, opts: { clock?: () => number } = {}): Hono {
  const clock = opts.clock ?? Date.now;
  const { config, redis } = deps;
  const parts: ConsoleParts = {
    ...deps,
    logger: deps.logger.child({ component: 'console' }),
    clock,
    sessions: createSessionStore({
      redis,
      deployment: config.deployment,
      sessionMinutes: config.console.sessionMinutes,
      clock,
    }),
    throttle: createLoginThrottle({
      maxFailures: config.console.maxLoginFailures,
      lockSeconds: config.console.loginLockSeconds,
      clock,
    }),
    audit: createAuditLog({
      redis,
      deployment: config.deployment,
      retentionSeconds: retentionSeconds(config.privacy),
      clock,
    }),
    store: createTranscriptStore({ redis, config: config.privacy, logger: deps.logger }),
    messages:
      deps.messages ??
      createMessageStore({
        redis,
        privacy: config.privacy,
        voicemail: config.voicemail,
        logger: deps.logger,
        pseudonymizer: pseudonymizerFromConfig(config.admission),
      }),
    placeCallback: deps.placeCallback ?? placeCallback,
    hours: createOpeningHours(config.helpdesk),
  };
  const assets = loadAssets();
  const app = new Hono<ConsoleEnv>();

  app.use('*', securityHeaders);
  app.use('*', bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.text('request too large', 413) }));
  app.get('/', (c) => c.redirect(`${BASE}/`, 308));
  app.get('/assets/:name', (c) => {
    const asset = assets.get(c.req.param('name'));
    if (!asset) return c.text('not found', 404);
    // No personal data in these: the browser may keep them.
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(asset.body, 200, { 'Content-Type': asset.type });
  });
  app.use('*', async (c, next) => {
    if (config.console.users.length === 0) return c.text(NO_USERS, 503);
    await next();
  });
  mountAuthRoutes(app, parts);
  app.use('*', requireSession(parts));
  app.use('*', requireCsrf);
  mountLogout(app, parts);
  mountPages(app, parts);

  app.onError((err, c) => {
    parts.logger.error({ err: { name: err.name, message: err.message } }, 'console request failed');
    return c.text(
      'The console cannot answer now (Redis does not answer?); try again shortly.',
      503,
    );
  });
  // The session variable is the console's own business; the control plane mounts a plain app.
  return app as unknown as Hono;
}
