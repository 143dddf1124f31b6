/** Admission: per-caller rate limit and cluster-wide concurrency leases, in Redis, before any cost. */
export {
  createAdmission,
  type Admission,
  type AdmissionDecision,
  type AdmissionDeps,
  type AdmissionTelemetry,
  type DecisionResult,
  type RedisOperation,
  type AdmitRequest,
  type RejectionReason,
} from './admission.js';
export {
  admissionConfigSchema,
  checkAdmission,
  DEV_PSEUDONYM_KEY,
  type AdmissionConfig,
} from './config.js';
export { eraseCallerRateLimit } from './erase.js';
export type { Lease } from './lease.js';
export { rejectionPrompt } from './prompts.js';
export {
  createPseudonymizer,
  pseudonymizerFromConfig,
  type Pseudonymizer,
  type PseudonymizerOptions,
  type PseudonymKey,
} from './pseudonym.js';
export type { RedisClient } from './scripts.js';
