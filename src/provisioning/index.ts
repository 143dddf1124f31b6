export {
  provisioningConfigSchema,
  checkProvisioning,
  type ProvisioningConfig,
  type InboundTrunkConfig,
  type OutboundTrunkConfig,
  type DispatchRuleConfig,
} from './config.js';
export {
  CALLER_FROM_ATTRIBUTE,
  desiredState,
  type DesiredState,
  type ProvisioningTarget,
  type InboundSpec,
  type OutboundSpec,
  type RuleSpec,
} from './desired.js';
export { createProvisioningClient, type ProvisioningClient, type LivekitApi } from './client.js';
export {
  plan,
  diffPlan,
  type Plan,
  type PlanChange,
  type PlanAction,
  type ObjectKind,
} from './plan.js';
export { apply, type ApplyOptions, type ApplyResult } from './apply.js';
export { renderPlan, planToJson, renderApplyResult } from './render.js';
export { objectName, ownedBy, type OwnershipMark } from './ownership.js';
export { activeCallsByTrunk } from './active-calls.js';
export { findOutboundTrunk } from './live.js';
export {
  startReconciler,
  type Reconciler,
  type ReconcilerConfig,
  type ReconcilerOptions,
  type ReconcilerStatus,
} from './reconciler.js';
export type { ReconcileTrigger } from './metrics.js';
