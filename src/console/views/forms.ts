import { html } from 'hono/html';
import type { ErasureReceipt } from '../../privacy/index.js';
import { BASE, csrfField, formatTime, type Html } from './layout.js';

export function loginForm(opts: { token: string; message?: string }): Html {
  return html`${opts.message ? html`<p class="error" id="login-error">${opts.message}</p>` : ''}
    <form method="post" action="${BASE}/login" class="login">
      ${csrfField(opts.token)}
      <label>Name <input name="name" autocomplete="username" required /></label>
      <label
        >Password <input name="password" type="password" autocomplete="current-password" required
      /></label>
      <button type="submit">Log in</button>
    </form>`;
}

/**
 * The erasure form. The number field is never refilled: after a post the page shows the receipt
 * and an empty form, so the number is not echoed back anywhere.
 */
export function erasePage(opts: {
  csrfToken: string;
  receipt?: ErasureReceipt;
  error?: string;
}): Html {
  const { receipt } = opts;
  return html`<p>
      Deletes every stored transcript of one caller and their rate-limit entries (GDPR erasure),
      under every active pseudonym key. The number is used once to derive the pseudonyms and is not
      stored, logged or shown.
    </p>
    ${opts.error ? html`<p class="error" id="erase-error">${opts.error}</p>` : ''}
    ${
      receipt
        ? html`<section class="receipt" id="receipt">
            <h2>Receipt</h2>
            <dl class="facts">
              <dt>Erased at</dt>
              <dd>${formatTime(receipt.erasedAt)}</dd>
              <dt>Pseudonym key ids</dt>
              <dd id="receipt-keys">${receipt.pseudonymKeyIds.join(', ')}</dd>
              <dt>Transcripts deleted</dt>
              <dd id="receipt-transcripts">${receipt.deleted.transcripts}</dd>
              <dt>Rate-limit entries deleted</dt>
              <dd id="receipt-rate-limit">${receipt.deleted.rateLimitEntries}</dd>
            </dl>
            <pre>${JSON.stringify(receipt, null, 2)}</pre>
          </section>`
        : ''
    }
    <form method="post" action="${BASE}/erase" class="erase" autocomplete="off">
      ${csrfField(opts.csrfToken)}
      <label
        >Caller's number <input name="number" inputmode="tel" autocomplete="off" required
      /></label>
      <button type="submit">Erase this caller</button>
    </form>`;
}
