/** Privacy: record-free guard, transcripts with retention, erasure and export, number scrubbing. */
export { privacyConfigSchema, retentionSeconds, type PrivacyConfig } from './config.js';
export {
  eraseCaller,
  exportCaller,
  NotAPhoneNumberError,
  type CallerExport,
  type CallerMessageStore,
  type CallerPseudonymizer,
  type CallerRequest,
  type ErasureReceipt,
  type ExportedMessage,
} from './erasure.js';
export { createTranscriptKeys, isPseudonym, type TranscriptKeys } from './keys.js';
export {
  findPhoneNumbers,
  maskPhoneNumbers,
  scrubPhoneNumbers,
  type NumberPseudonymizer,
} from './phone-numbers.js';
export {
  assertRecordFree,
  findRecordingSettings,
  RecordingConfiguredError,
  type RecordingSetting,
  RECORD_FREE_SESSION_OPTIONS,
} from './record-free.js';
export type { RedisClient } from './scripts.js';
export { createScrubbingStream } from './scrub-stream.js';
export { sweepIdsByOwner } from './transcript-read.js';
export {
  createTranscriptStore,
  type ListOptions,
  type TranscriptStore,
  type TranscriptStoreDeps,
} from './transcript-store.js';
export type {
  CallOutcome,
  CallTranscript,
  FinishCall,
  Instant,
  RecentCall,
  StartCall,
  StoredTurn,
  Turn,
} from './types.js';
