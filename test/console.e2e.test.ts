import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { say } from './support/calls.js';
import { eraseCaller, exportCalls } from './support/privacy-cli.js';
import { useStack, type StackHandle } from './support/stack.js';

/** callerA's number (test/support/calls.ts), in the forms an operator might type or a leak show. */
const CALLER = '+3225550142';
const CALLER_FORMS = [CALLER, '3225550142', '025550142', '02 555 01 42', '2 555 01 42'];

/** Where the screenshots go: $SWITCHBOARD_ARTIFACTS/console, or a temp dir printed below. */
const SHOTS = process.env.SWITCHBOARD_ARTIFACTS
  ? join(process.env.SWITCHBOARD_ARTIFACTS, 'console')
  : mkdtempSync(join(tmpdir(), 'sb-console-shots-'));

/** An element's text without the indentation of the server-rendered HTML. */
const text = async (locator: Locator) => ((await locator.textContent()) ?? '').trim();

/**
 * The operator console in Debian's headless Chromium against the running stack: login, a live
 * call while it is up, the call in the recent list with its outcome, its transcript (audited),
 * erasure by number with the receipt.
 */
describe('the operator console in a browser', () => {
  let stack: StackHandle;
  let browser: Browser;
  let page: Page;
  let base: string;
  let callId = '';
  let call: ReturnType<typeof say> | undefined;
  const problems: string[] = [];

  const shot = async (name: string) => {
    const path = join(SHOTS, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    return path;
  };

  beforeAll(async () => {
    stack = await useStack();
    base = `${stack.controlPlaneUrl}/console`;
    // callerA starts from no transcripts and a fresh rate limit, whatever ran before.
    eraseCaller(stack, CALLER);
    mkdirSync(SHOTS, { recursive: true });
    console.log(`[console e2e] screenshots in ${SHOTS}`);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox'],
    });
    page = await browser.newPage();
    // A CSP violation or a failed script shows up here: the console must need neither.
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`${m.text()} (${m.location().url})`);
    });
    page.on('pageerror', (err) => problems.push(err.message));
  });

  afterAll(async () => {
    await browser?.close();
    await call;
  });

  it('refuses access without a login', async () => {
    for (const path of ['/', '/calls/SCL_anything', '/erase', '/audit', '/latency']) {
      const res = await fetch(`${base}${path}`, { redirect: 'manual' });
      expect([res.status, res.headers.get('location')], path).toEqual([303, '/console/login']);
    }
    const post = await fetch(`${base}/erase`, {
      method: 'POST',
      body: new URLSearchParams({ number: CALLER }),
      redirect: 'manual',
    });
    expect(post.status).toBe(401);

    await page.goto(`${base}/`);
    expect(page.url()).toBe(`${base}/login`);
    await page.fill('input[name=name]', 'operator');
    await page.fill('input[name=password]', 'not-the-password');
    await page.click('form.login button');
    expect(await text(page.locator('#login-error'))).toContain('Wrong name or password');
    expect(page.url()).toBe(`${base}/login`);
  });

  it('logs in with a Secure, HttpOnly, SameSite=Strict session cookie', async () => {
    await page.fill('input[name=name]', 'operator');
    await page.fill('input[name=password]', 'dev-console-password');
    await page.click('form.login button');
    await page.waitForURL(`${base}/`);
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === '__Secure-sb-console')).toMatchObject({
      path: '/console',
      httpOnly: true,
      secure: true,
      sameSite: 'Strict',
    });
  });

  it('shows the call in the live list while it is up, without reloading the page', async () => {
    await page.goto(`${base}/`);
    const liveIds = () =>
      page
        .locator('#live-calls-table tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-call-id') ?? ''));
    const before = new Set(await liveIds());
    // A question the rules brain answers, so the call has a measured turn for the latency chart.
    call = say('What are the visiting hours', { as: 'callerA' });
    // The page was loaded before the call began: its own refresh must bring the row.
    const deadline = Date.now() + 30_000;
    while (!callId && Date.now() < deadline) {
      callId = (await liveIds()).find((id) => !before.has(id)) ?? '';
      if (!callId) await page.waitForTimeout(250);
    }
    expect(callId).toMatch(/^SCL_/);
    const row = page.locator(`#live-calls-table tr[data-call-id="${callId}"]`);
    const cells = (await row.locator('td').allTextContents()).map((s) => s.trim());
    expect(cells[1]).toMatch(/^e2e_[0-9a-f]+$/); // the pseudonym, never the number
    expect(cells[2]).toMatch(/^(caller-a|ST_\w+)$/);
    expect(cells[4]).toMatch(/ringing|active|transferring/);
    console.log(`[console e2e] main page with a live call: ${await shot('main-live-call')}`);
    expect(CALLER_FORMS.some((f) => cells.join(' ').includes(f))).toBe(false);
  });

  it('lists the call with its outcome once it ended, and opens its transcript (audited)', async () => {
    const result = await call!;
    expect(result.established).toBe(true);
    const recentRow = page.locator(`#recent-calls-table tr[data-call-id="${callId}"]`);
    const deadline = Date.now() + 30_000;
    let outcome = '';
    while (Date.now() < deadline) {
      await page.goto(`${base}/`);
      if ((await recentRow.count()) > 0) {
        outcome = await text(recentRow.locator('.outcome'));
        if (outcome !== 'in progress') break;
      }
      await page.waitForTimeout(1_000);
    }
    expect(outcome).toBe('answered');
    expect(await page.locator(`#live-calls-table tr[data-call-id="${callId}"]`).count()).toBe(0);
    await shot('main-recent-call');

    await recentRow.locator('a').click();
    await page.waitForURL(`${base}/calls/${callId}`);
    expect(await text(page.locator('#outcome'))).toBe('answered');
    expect(await text(page.locator('#expires-at'))).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    expect(await page.locator('#turns li.turn-agent').count()).toBeGreaterThan(1);
    expect(await page.locator('#turns li.turn-caller').count()).toBeGreaterThan(0);
    console.log(`[console e2e] transcript: ${await shot('transcript')}`);

    await page.goto(`${base}/audit`);
    const opened = page.locator('#audit-log tr.audit-transcript_opened', { hasText: callId });
    expect(await opened.count()).toBe(1);
    expect(await text(opened.locator('td').nth(1))).toBe('operator');
    expect(await page.locator('#audit-log tr.audit-login').count()).toBeGreaterThan(0);
    expect(await page.locator('#audit-log tr.audit-login_failed').count()).toBeGreaterThan(0);
  });

  it('erases the caller by number and shows the receipt, never the number', async () => {
    await page.goto(`${base}/erase`);
    await page.fill('input[name=number]', '02 555 01 42');
    await page.click('form.erase button');
    await page.locator('#receipt').waitFor();
    expect(Number(await text(page.locator('#receipt-transcripts')))).toBeGreaterThan(0);
    expect(await text(page.locator('#receipt-keys'))).toBe('e2e');
    console.log(`[console e2e] erasure receipt: ${await shot('erasure-receipt')}`);
    const html = await page.content();
    for (const form of CALLER_FORMS) expect(html).not.toContain(form);
    expect(await page.inputValue('input[name=number]')).toBe('');

    expect(exportCalls(stack, CALLER)).toEqual([]);
    await page.goto(`${base}/`);
    expect(await page.locator(`tr[data-call-id="${callId}"]`).count()).toBe(0);

    await page.goto(`${base}/audit`);
    const erased = page.locator('#audit-log tr.audit-caller_erased').first();
    expect(await text(erased.locator('td').nth(3))).toMatch(/^keys e2e: [1-9]\d* transcripts/);
    const audit = await page.content();
    for (const form of CALLER_FORMS) expect(audit).not.toContain(form);
    await shot('audit-log');
  });

  it('draws the latency chart and the provisioning state with nothing loaded from elsewhere', async () => {
    const foreign: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith(stack.controlPlaneUrl)) foreign.push(req.url());
    });
    await page.goto(`${base}/latency`);
    await page.locator('#latency-chart canvas').waitFor();
    // The call above had at least one turn with a measured gap.
    const gaps = page.locator('#latency-summary tr', { hasText: 'turn_gap' }).locator('td').nth(1);
    expect(Number(await text(gaps))).toBeGreaterThan(0);
    await shot('latency');
    await page.goto(`${base}/provisioning`);
    expect(await text(page.locator('#last-run'))).toMatch(/UTC$/);
    expect(await text(page.locator('#last-error'))).toBe('none');
    await shot('provisioning');
    expect(foreign).toEqual([]);
    // Allowed: the browser's own /favicon.ico (404, outside the console) and the wrong-password 401.
    expect(problems.filter((p) => !/favicon\.ico|status of 401/.test(p))).toEqual([]);
  });

  it('logs nothing of the number from the console, and logging out ends the session', async () => {
    const lines = readdirSync(stack.logDir)
      .flatMap((f) => readFileSync(join(stack.logDir, f), 'utf8').split('\n'))
      .filter((l) => l.includes('"component":"console"'));
    expect(lines.some((l) => l.includes('console caller erased'))).toBe(true);
    for (const form of CALLER_FORMS) expect(lines.filter((l) => l.includes(form))).toEqual([]);

    await page.goto(`${base}/`);
    await page.click('form.logout button');
    await page.waitForURL(`${base}/login`);
    await page.goto(`${base}/audit`);
    expect(page.url()).toBe(`${base}/login`);
  });
});
