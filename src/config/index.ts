export {
  loadConfig,
  parseConfig,
  RESOLVED_CONFIG_FILE_ENV,
  childProcessEnv,
  type LoadedConfig,
  type LoadOptions,
} from './load.js';
export { ConfigError, type ConfigProblem } from './errors.js';
export { livekitHttpUrl, livekitWsUrl } from './livekit-url.js';
export { writeResolvedConfig } from './resolved-file.js';
export {
  configSchema,
  type SwitchboardConfig,
  type LivekitConfig,
  type SipConfig,
} from './schema.js';
export { internalPorts, LETS_ENCRYPT_HINT } from './sip.js';
