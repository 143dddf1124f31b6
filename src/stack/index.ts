export {
  startStack,
  componentContext,
  startAgentWorker,
  startControlPlane,
  startGateway,
  startLivekitServer,
  type ComponentContext,
  portClaims,
  PortsInUseError,
  type RunningStack,
  type StackOptions,
} from './stack.js';
export {
  binaryFolder,
  binaryPath,
  patchFiles,
  requireBinary,
  pinnedVersion,
  pinnedVersions,
  DEFAULT_BIN_CACHE,
  PROJECT_ROOT,
  type GoBinary,
} from './binaries.js';
export { probeRedis, connectCommandRedis, connectRedisOnce } from './redis-probe.js';
export { livekitServerYaml, livekitSipYaml } from './generated-configs.js';
export { NEVER, type Part } from './supervisor.js';
