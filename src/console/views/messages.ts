import { html } from 'hono/html';
import type { HelpdeskOverride } from '../../helpdesk/index.js';
import type { CallbackState, VoicemailMessage } from '../../voicemail/index.js';
import { BASE, csrfField, formatTime, type Html } from './layout.js';

/** A callback may be (re)placed only while the caller has not been reached. */
export const CALLABLE: ReadonlySet<CallbackState> = new Set([
  'requested',
  'no_answer',
  'machine',
  'failed',
]);

export interface HelpdeskView {
  open: boolean;
  override?: HelpdeskOverride;
  /** The weekly hours in a sentence. */
  hours: string;
  /** Only while closed: when it opens again (or that nothing is planned). */
  closedSentence?: string;
}

export interface MessagesPageOptions {
  csrfToken: string;
  helpdesk: HelpdeskView | undefined;
  messages: VoicemailMessage[] | undefined;
  /** The result of a callback just placed, or why it was refused. */
  notice?: { kind: 'ok' | 'error'; text: string };
}

function helpdeskSection(view: HelpdeskView | undefined): Html {
  if (!view)
    return html`<p class="error">
      The helpdesk's state cannot be read now (Redis does not answer).
    </p>`;
  const { override } = view;
  return html`<dl class="facts" id="helpdesk">
    <dt>Now</dt>
    <dd id="helpdesk-state" class="state state-${view.open ? 'open' : 'closed'}">
      ${view.open ? 'open' : 'closed'}
    </dd>
    <dt>Override</dt>
    <dd id="helpdesk-override">
      ${
        override
          ? `${override.state}${override.until ? ` until ${formatTime(override.until)}` : ' until lifted'}`
          : 'none (the opening hours decide)'
      }
    </dd>
    <dt>Opening hours</dt>
    <dd>${view.hours}</dd>
    ${
      view.closedSentence
        ? html`<dt>Callers hear</dt>
            <dd>${view.closedSentence}</dd>`
        : ''
    }
  </dl>`;
}

function callbackCell(message: VoicemailMessage, csrfToken: string): Html {
  const { state, attempts } = message.callback;
  const label = state === 'none' ? 'not requested' : state;
  return html`<span class="callback callback-${state}">${label}</span>
    ${attempts > 0 ? html`<span class="attempts">(${attempts} attempts)</span>` : ''}
    ${
      CALLABLE.has(state)
        ? html`<form
            method="post"
            action="${BASE}/messages/${message.id}/callback"
            class="callback"
          >
            ${csrfField(csrfToken)}
            <button type="submit">Call back</button>
          </form>`
        : ''
    }`;
}

function messagesTable(messages: VoicemailMessage[], csrfToken: string): Html {
  if (messages.length === 0) return html`<p class="empty" id="no-messages">No stored message.</p>`;
  return html`<table id="messages-table">
    <thead>
      <tr>
        <th>Left at</th>
        <th>Language</th>
        <th>Pseudonym</th>
        <th>Reason</th>
        <th>Message</th>
        <th>Callback</th>
        <th>Webhook</th>
      </tr>
    </thead>
    <tbody>
      ${messages.map(
        (m) =>
          html`<tr data-message-id="${m.id}">
            <td>${formatTime(m.createdAt)}</td>
            <td>${m.language}</td>
            <td class="mono">${m.pseudonym ?? 'withheld'}</td>
            <td>${m.reason}</td>
            <td class="message-text">${m.text}</td>
            <td>${callbackCell(m, csrfToken)}</td>
            <td>
              ${
                m.webhook.deliveredAt
                  ? `delivered ${formatTime(m.webhook.deliveredAt)}`
                  : m.webhook.attempts > 0
                    ? `not delivered (${m.webhook.attempts} attempts)`
                    : 'not delivered'
              }
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export function messagesPage(opts: MessagesPageOptions): Html {
  return html`<section>
      <h2>Helpdesk</h2>
      ${helpdeskSection(opts.helpdesk)}
      <p class="note">
        Close or reopen the line with <code>switchboard helpdesk close|open|resume</code>.
      </p>
    </section>
    <section>
      <h2>Messages</h2>
      <p>
        Messages callers left, as text (no audio is kept), for as long as transcripts. A caller's
        number is never shown; "Call back" dials the number they consented to, and is written to the
        audit log.
      </p>
      ${
        opts.notice
          ? html`<p class="${opts.notice.kind === 'ok' ? 'notice' : 'error'}" id="callback-notice">
              ${opts.notice.text}
            </p>`
          : ''
      }
      ${
        opts.messages === undefined
          ? html`<p class="error">Messages cannot be read now (Redis does not answer).</p>`
          : messagesTable(opts.messages, opts.csrfToken)
      }
    </section>`;
}
