export { createControlPlaneApp, type ReadinessCheck } from './app.js';
export {
  createCallRecovery,
  unhandledCallRecords,
  LIVEKIT_WEBHOOK_PATH,
  type RecoveryMetadata,
} from './call-recovery.js';
