/**
 * The voice agent: the worker process (`worker.ts`) forks one job process per call (`job.ts`).
 * Other folders use only its configuration from here.
 */
export {
  agentConfigSchema,
  languageSchema,
  type AgentConfig,
  type EmergencyConfig,
  type HandoffConfig,
  type Language,
} from './config.js';
export { checkEngineKeysForBrain } from './engines/config.js';
export { REFUSED_TOOL_OUTPUT } from './session.js';
export { callerNumber, SIP_ATTR } from './call/sip-participant.js';
export { prepareProcess, runCall, warmUpProcess, type ProcessData } from './call-flow.js';
