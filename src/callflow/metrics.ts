import { Counter } from 'prom-client';
import { registry } from '../telemetry/index.js';

export type WebhookRoute =
  | 'twilio_voice'
  | 'twilio_escalate'
  | 'twilio_dial_status'
  | 'twilio_voicemail'
  | 'cloudonix_voice';

/** Outcome of one webhook request; never carries a caller value. */
export type WebhookResult =
  | 'ok'
  | 'completed'
  | 'fallback_helpdesk'
  | 'fallback_message'
  | 'fallback_voicemail'
  | 'voicemail_saved'
  | 'voicemail_empty'
  | 'voicemail_not_saved'
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden_signature'
  | 'forbidden_account'
  | 'method_not_allowed'
  | 'too_large'
  | 'unsupported_media_type'
  | 'error';

export const webhookRequests = new Counter<'route' | 'result'>({
  name: 'switchboard_webhook_requests_total',
  help: 'Carrier webhook requests by route and result (forged, malformed and served).',
  labelNames: ['route', 'result'],
  registers: [registry],
});
