import { html, raw } from 'hono/html';
import type { ReconcilerStatus } from '../../provisioning/index.js';
import { TURN_STAGES, type LatencySample } from '../../telemetry/call-events.js';
import type { StoredAuditEntry } from '../audit-log.js';
import { formatTime, type Html } from './layout.js';

export function provisioningPage(status: ReconcilerStatus): Html {
  const plan = status.lastPlan;
  const drift = plan?.changes.filter((c) => c.action !== 'unchanged') ?? [];
  const result = status.lastResult;
  return html`<dl class="facts">
      <dt>Reconciler runs</dt>
      <dd>${status.runs}</dd>
      <dt>Last run</dt>
      <dd id="last-run">${formatTime(status.lastRunAt)}</dd>
      <dt>Trigger</dt>
      <dd>${status.lastTrigger ?? '–'}</dd>
      <dt>Last error</dt>
      <dd id="last-error" class="${status.lastError ? 'error' : ''}">
        ${status.lastError ?? 'none'}
      </dd>
      ${
        plan
          ? html`<dt>Objects</dt>
              <dd>
                ${Object.entries(plan.counts)
                  .map(([action, n]) => `${action}: ${n}`)
                  .join(', ')}
              </dd>`
          : ''
      }
    </dl>
    <h2>Drift found by the last run</h2>
    ${
      !plan
        ? html`<p class="empty">No run has finished yet.</p>`
        : drift.length === 0
          ? html`<p class="ok" id="in-sync">LiveKit matches the configuration.</p>`
          : html`<table id="drift">
              <thead>
                <tr>
                  <th>Kind</th>
                  <th>Name</th>
                  <th>Action</th>
                  <th>Fields / reason</th>
                  <th>LiveKit id</th>
                </tr>
              </thead>
              <tbody>
                ${drift.map(
                  (c) =>
                    html`<tr>
                      <td>${c.kind}</td>
                      <td>${c.name}</td>
                      <td>${c.action}</td>
                      <td>${c.fields?.join(', ') ?? c.reason ?? ''}</td>
                      <td>${c.id ?? ''}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
    }
    ${
      result
        ? html`<h2>Last repair</h2>
            <p>
              applied ${result.applied.length}, skipped ${result.skipped.length}, blocked
              ${result.blocked.length}, failed ${result.failed.length}
            </p>
            ${result.failed.map((f) => html`<p class="error">${f.kind} ${f.name}: ${f.error}</p>`)}`
        : ''
    }
    ${
      plan?.warnings.length
        ? html`<h2>Warnings</h2>
            ${plan.warnings.map((w) => html`<p>${w}</p>`)}`
        : ''
    }`;
}

function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const ms = (seconds: number | undefined) =>
  seconds === undefined ? '–' : `${Math.round(seconds * 1000)} ms`;

/**
 * The chart's data goes in a JSON block (not executed, so the CSP allows it); latency.js draws it
 * with uPlot. The table beside it gives the same figures without script.
 */
export function latencyPage(samples: LatencySample[]): Html {
  const data = {
    stages: TURN_STAGES,
    at: samples.map((s) => s.at / 1000),
    series: TURN_STAGES.map((stage) => samples.map((s) => s.stages[stage] ?? null)),
  };
  // `<` escaped so no value can close the script element.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return html`<p>
      Stages of the last ${samples.length} turn${samples.length === 1 ? '' : 's'}, in seconds, as
      measured on the calls.
    </p>
    ${samples.length === 0 ? html`<p class="empty">No turn measured yet.</p>` : ''}
    <div id="latency-chart"></div>
    <script type="application/json" id="latency-data">
      ${raw(json)}
    </script>
    <table id="latency-summary">
      <thead>
        <tr>
          <th>Stage</th>
          <th>Turns</th>
          <th>p50</th>
          <th>p95</th>
        </tr>
      </thead>
      <tbody>
        ${TURN_STAGES.map((stage) => {
          const values = samples.flatMap((s) =>
            s.stages[stage] === undefined ? [] : [s.stages[stage]],
          );
          return html`<tr>
            <td>${stage}</td>
            <td>${values.length}</td>
            <td>${ms(percentile(values, 50))}</td>
            <td>${ms(percentile(values, 95))}</td>
          </tr>`;
        })}
      </tbody>
    </table>`;
}

function auditDetail(entry: StoredAuditEntry): string {
  switch (entry.action) {
    case 'login':
    case 'login_failed':
      return `from ${entry.source}`;
    case 'transcript_opened':
      return `call ${entry.callId}`;
    case 'callback_placed':
      return `message ${entry.messageId}: ${entry.state}`;
    case 'caller_erased':
      return `keys ${entry.keyIds.join(', ')}: ${entry.transcripts} transcripts, ${entry.rateLimitEntries} rate-limit entries`;
    default:
      return '';
  }
}

export function auditPage(entries: StoredAuditEntry[] | undefined, retentionSeconds: number): Html {
  return html`<p>
      Logins, opened transcripts, callbacks and erasures, kept as long as transcripts
      (${Math.round(retentionSeconds / 86_400) >= 1 ? `${Math.round(retentionSeconds / 86_400)} days` : `${retentionSeconds} s`}).
    </p>
    ${
      entries === undefined
        ? html`<p class="error">The audit log cannot be read now (Redis does not answer).</p>`
        : entries.length === 0
          ? html`<p class="empty">No entry.</p>`
          : html`<table id="audit-log">
              <thead>
                <tr>
                  <th>Time</th>
                  <th>Operator</th>
                  <th>Action</th>
                  <th>Detail</th>
                </tr>
              </thead>
              <tbody>
                ${entries.map(
                  (e) =>
                    html`<tr class="audit-${e.action}">
                      <td>${formatTime(e.at)}</td>
                      <td>${e.operator ?? '(unknown name)'}</td>
                      <td>${e.action}</td>
                      <td>${auditDetail(e)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
    }`;
}
