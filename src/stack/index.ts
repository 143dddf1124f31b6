export {
  startStack,
  portClaims,
  PortsInUseError,
  type RunningStack,
  type StackOptions,
} from './stack.js';
export { binaryPath, pinnedVersions, PROJECT_ROOT } from './binaries.js';
export { livekitServerYaml, livekitSipYaml } from './generated-configs.js';
