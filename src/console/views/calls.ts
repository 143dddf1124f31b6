import { html } from 'hono/html';
import type { CallTranscript, RecentCall } from '../../privacy/index.js';
import type { LiveCall } from '../../telemetry/call-events.js';
import { BASE, formatDuration, formatTime, type Html } from './layout.js';

const callLink = (callId: string): Html =>
  html`<a href="${BASE}/calls/${encodeURIComponent(callId)}">${callId}</a>`;

/** The live table alone: the page's script swaps it in every few seconds. */
export function liveCallsTable(calls: LiveCall[], now: number): Html {
  if (calls.length === 0) return html`<p class="empty" id="no-live-calls">No call in progress.</p>`;
  return html`<table id="live-calls-table">
    <thead>
      <tr>
        <th>Call</th>
        <th>Pseudonym</th>
        <th>Trunk</th>
        <th>Language</th>
        <th>State</th>
        <th>Duration</th>
      </tr>
    </thead>
    <tbody>
      ${calls.map(
        (call) =>
          html`<tr data-call-id="${call.callId}">
            <td>${call.callId}</td>
            <td class="mono">${call.pseudonym ?? 'withheld'}</td>
            <td>${call.trunk}</td>
            <td>${call.language}</td>
            <td class="state state-${call.state}">${call.state}</td>
            <td>${formatDuration(now - call.startedAt)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export function recentCallsTable(calls: RecentCall[]): Html {
  if (calls.length === 0) return html`<p class="empty">No stored call.</p>`;
  return html`<table id="recent-calls-table">
    <thead>
      <tr>
        <th>Call</th>
        <th>Pseudonym</th>
        <th>Outcome</th>
        <th>Started</th>
        <th>Duration</th>
        <th>Transcript expires</th>
      </tr>
    </thead>
    <tbody>
      ${calls.map(
        (call) =>
          html`<tr data-call-id="${call.callId}">
            <td>${callLink(call.callId)}</td>
            <td class="mono">${call.pseudonym ?? 'withheld'}</td>
            <td class="outcome">${call.outcome ?? 'in progress'}</td>
            <td>${formatTime(call.startedAt)}</td>
            <td>${formatDuration(call.durationMs)}</td>
            <td>${formatTime(call.expiresAt)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export function callsPage(live: LiveCall[], recent: RecentCall[] | undefined, now: number): Html {
  return html`<section>
      <h2>Live calls</h2>
      <div id="live-calls" data-refresh="${BASE}/live">${liveCallsTable(live, now)}</div>
    </section>
    <section>
      <h2>Recent calls</h2>
      ${
        recent === undefined
          ? html`<p class="error">Recent calls cannot be read now (Redis does not answer).</p>`
          : recentCallsTable(recent)
      }
    </section>`;
}

export function transcriptPage(call: CallTranscript): Html {
  return html`<dl class="facts">
      <dt>Pseudonym</dt>
      <dd class="mono">${call.pseudonym ?? 'withheld'}</dd>
      <dt>Outcome</dt>
      <dd id="outcome">${call.outcome ?? 'in progress'}</dd>
      ${
        call.failure
          ? html`<dt>Failure</dt>
              <dd>${call.failure}</dd>`
          : ''
      }
      <dt>Trunk</dt>
      <dd>${call.trunkId ?? '–'}</dd>
      <dt>Language</dt>
      <dd>${call.language}</dd>
      <dt>Started</dt>
      <dd>${formatTime(call.startedAt)}</dd>
      <dt>Duration</dt>
      <dd>${formatDuration(call.durationMs)}</dd>
      ${
        call.transferTarget
          ? html`<dt>Transferred to</dt>
              <dd>${call.transferTarget}</dd>`
          : ''
      }
      <dt>Expires</dt>
      <dd id="expires-at">${formatTime(call.expiresAt)}</dd>
    </dl>
    <p class="note">Opening this transcript was written to the audit log.</p>
    ${
      call.turns.length === 0
        ? html`<p class="empty">No turn was stored.</p>`
        : html`<ol class="turns" id="turns">
            ${call.turns.map(
              (turn) =>
                html`<li class="turn turn-${turn.role}">
                  <span class="who">${turn.role}</span>
                  <time>${formatTime(turn.at)}</time>
                  <span class="lang">${turn.language}</span>
                  <p>${turn.text}</p>
                </li>`,
            )}
          </ol>`
    }`;
}
