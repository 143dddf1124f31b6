/** Voicemail without audio: messages as text, an encrypted callback number, a signed webhook. */
export {
  checkVoicemail,
  DEV_CALLBACK_KEY,
  voicemailConfigSchema,
  type VoicemailConfig,
} from './config.js';
export {
  CallbackDecryptError,
  createCallbackCipher,
  type CallbackCipher,
  type CallbackKey,
} from './crypto.js';
export {
  startWebhookDelivery,
  type WebhookDelivery,
  type WebhookDeliveryOptions,
} from './delivery.js';
export { createMessageKeys, isMessageId, type MessageKeys } from './keys.js';
export { CallbackKeysMissingError, createMessageStore, type MessageStoreDeps } from './store.js';
export type {
  CallbackState,
  MessageReason,
  MessageStore,
  NewMessage,
  VoicemailMessage,
} from './types.js';
export {
  DEFAULT_TOLERANCE_S,
  MESSAGE_ID_HEADER,
  SIGNATURE_HEADER,
  signWebhook,
  verifyWebhook,
  webhookBody,
  type SeenSignatures,
  type VerifyWebhookOptions,
  type WebhookEvent,
  type WebhookVerdict,
} from './webhook.js';
