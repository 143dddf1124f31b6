import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** Where the control plane mounts the console (SPEC contract: `/console/`). */
export const BASE = '/console';

const NAV: Array<[string, string]> = [
  [`${BASE}/`, 'Calls'],
  [`${BASE}/messages`, 'Messages'],
  [`${BASE}/erase`, 'Erasure'],
  [`${BASE}/provisioning`, 'SIP provisioning'],
  [`${BASE}/latency`, 'Latency'],
  [`${BASE}/audit`, 'Audit log'],
];

export interface PageChrome {
  title: string;
  /** The logged-in operator and the session's CSRF token, for the logout form. */
  session?: { user: string; csrfToken: string };
  /** Extra scripts, served by the console itself (the CSP allows only 'self'). */
  scripts?: string[];
}

export function page(chrome: PageChrome, body: Html): Html {
  const scripts = [`${BASE}/assets/console.js`, ...(chrome.scripts ?? [])];
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${chrome.title} · Switchboard console</title>
        <link rel="stylesheet" href="${BASE}/assets/console.css" />
        <link rel="stylesheet" href="${BASE}/assets/uPlot.min.css" />
      </head>
      <body>
        <header>
          <strong>Switchboard console</strong>
          ${
            chrome.session
              ? html`<nav>${NAV.map(([href, label]) => html`<a href="${href}">${label}</a> `)}</nav>
                  <form method="post" action="${BASE}/logout" class="logout">
                    ${csrfField(chrome.session.csrfToken)}
                    <span>${chrome.session.user}</span> <button type="submit">Log out</button>
                  </form>`
              : ''
          }
        </header>
        <main>
          <h1>${chrome.title}</h1>
          ${body}
        </main>
        ${raw(scripts.map((src) => `<script src="${src}" defer></script>`).join(''))}
      </body>
    </html>`;
}

export const csrfField = (token: string): Html =>
  html`<input type="hidden" name="_csrf" value="${token}" />`;

/** `m:ss`, or `h:mm:ss` past an hour. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '–';
  const s = Math.floor(ms / 1000);
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(sec)}` : `${m}:${pad(sec)}`;
}

/** `2026-11-26 07:31:05 UTC`: the console shows UTC, as the logs do. */
export function formatTime(iso: string | number | Date | null | undefined): string {
  if (iso === null || iso === undefined || iso === '') return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '–' : `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
