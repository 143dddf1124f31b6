export { createCallflowApp, type CallflowAppOptions } from './app.js';
export {
  carriersConfigSchema,
  checkCarriers,
  type CarriersConfig,
  type TwilioConfig,
  type CloudonixConfig,
} from './config.js';
export {
  computeTwilioSignature,
  verifyTwilioSignature,
  signedUrl,
  type FormParams,
} from './signature.js';
export { TWILIO_ROUTES, DEFAULT_SIP_USER } from './twilio-routes.js';
export { CLOUDONIX_ROUTES } from './cloudonix-routes.js';
export { webhookRequests } from './metrics.js';
export type { CallerPseudonymizer } from './pseudonymizer.js';
