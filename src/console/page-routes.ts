import type { Hono } from 'hono';
import { html } from 'hono/html';
import { NotAPhoneNumberError, retentionSeconds, type ErasureReceipt } from '../privacy/index.js';
import type { ConsoleContext, ConsoleEnv, ConsoleParts } from './context.js';
import { createCallerEraser } from './erase-caller.js';
import { mountMessagePages } from './message-routes.js';
import { callsPage, liveCallsTable, transcriptPage } from './views/calls.js';
import { erasePage } from './views/forms.js';
import { BASE, page, type Html } from './views/layout.js';
import { auditPage, latencyPage, provisioningPage } from './views/operations.js';

const RECENT_CALLS = 50;
const AUDIT_ROWS = 200;
/** Ids as the transcript store accepts them (`SCL_…`); anything else is a 404 without a lookup. */
const CALL_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** The pages behind the login. */
export function mountPages(app: Hono<ConsoleEnv>, parts: ConsoleParts): void {
  const { events, store, audit, clock, logger } = parts;
  const eraseNumber = createCallerEraser(parts);

  // Every page gets the same chrome: navigation, the operator's name, the logout form.
  const show = (
    c: ConsoleContext,
    title: string,
    body: Html,
    status: 200 | 400 | 404 | 409 | 503 = 200,
    scripts?: string[],
  ) => {
    const { user, csrfToken } = c.get('session');
    return c.html(page({ title, session: { user, csrfToken }, scripts }, body), status);
  };

  const mainPage = async (c: ConsoleContext) => {
    const recent = await store.recent(RECENT_CALLS).catch((err: unknown) => {
      logger.warn({ err }, 'console: recent calls not readable');
      return undefined;
    });
    return show(c, 'Calls', callsPage(events.liveCalls(), recent, clock()));
  };

  app.get('/live', (c) => c.html(liveCallsTable(events.liveCalls(), clock())));

  /** The store refuses a malformed (number-like) id by throwing at once: that is a 404, not a 503. */
  const lookUp = (callId: string) => {
    try {
      return store.get(callId);
    } catch {
      return Promise.resolve(undefined);
    }
  };

  app.get('/calls/:callId', async (c) => {
    const callId = c.req.param('callId');
    const call = CALL_ID.test(callId) ? await lookUp(callId) : undefined;
    if (!call) return show(c, 'Transcript', notFound(), 404);
    const operator = c.get('session').user;
    // Audited before it is shown: a transcript the audit log cannot record is not opened.
    await audit.write({ action: 'transcript_opened', operator, callId });
    logger.info({ user: operator, callId }, 'console transcript opened');
    return show(c, `Call ${callId}`, transcriptPage(call));
  });

  app.get('/erase', (c) =>
    show(c, 'Erasure by number', erasePage({ csrfToken: c.get('session').csrfToken })),
  );

  app.post('/erase', async (c) => {
    const { user: operator, csrfToken } = c.get('session');
    const form = await c.req.parseBody();
    const number = typeof form.number === 'string' ? form.number.trim() : '';
    if (number === '')
      return show(
        c,
        'Erasure by number',
        erasePage({ csrfToken, error: "Enter the caller's number." }),
        400,
      );
    let receipt: ErasureReceipt;
    try {
      receipt = await eraseNumber(number);
    } catch (err) {
      if (err instanceof NotAPhoneNumberError)
        return show(c, 'Erasure by number', erasePage({ csrfToken, error: err.message }), 400);
      throw err;
    }
    const { transcripts, rateLimitEntries } = receipt.deleted;
    const keyIds = receipt.pseudonymKeyIds;
    logger.info({ user: operator, keyIds, transcripts, rateLimitEntries }, 'console caller erased');
    // The erasure is done; a missing audit entry must not hide its receipt from the operator.
    await audit
      .write({ action: 'caller_erased', operator, keyIds, transcripts, rateLimitEntries })
      .catch((err: unknown) =>
        logger.error({ err, user: operator }, 'console audit entry not written'),
      );
    return show(c, 'Erasure by number', erasePage({ csrfToken, receipt }));
  });

  app.get('/provisioning', (c) =>
    show(c, 'SIP provisioning', provisioningPage(parts.provisioning())),
  );

  app.get('/latency', (c) =>
    show(c, 'Latency', latencyPage(events.latencySamples()), 200, [
      `${BASE}/assets/uPlot.iife.min.js`,
      `${BASE}/assets/latency.js`,
    ]),
  );

  app.get('/audit', async (c) => {
    const entries = await audit.recent(AUDIT_ROWS).catch((err: unknown) => {
      logger.warn({ err }, 'console: audit log not readable');
      return undefined;
    });
    return show(c, 'Audit log', auditPage(entries, retentionSeconds(parts.config.privacy)));
  });

  mountMessagePages(app, parts, show);

  // Hono matches a sub-app's '/' only without the slash; the console's home is `/console/`.
  app.get('*', (c) =>
    c.req.path === `${BASE}/` ? mainPage(c) : show(c, 'Not found', notFound(), 404),
  );
}

const notFound = (): Html =>
  html`<p class="empty">Nothing here: the call may have expired or been erased.</p>`;
