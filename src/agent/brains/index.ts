/** The brains that answer a caller's turn: offline rules, an LLM with tools, or the customer's backend. */
export {
  BackendLLM,
  createBackendBrain,
  type BackendBrainOptions,
  type ConversationalIntent,
  type IntentInfo,
  type SessionEndReason,
} from './backend.js';
export {
  brainConfigSchema,
  type BackendBrainConfig,
  type BrainConfig,
  type LlmBrainConfig,
} from './config.js';
export { createLlmBrainTools, llmInstructions, type LlmBrainCallbacks } from './llm.js';
export { createRulesBrain, grammarPhrases, type RulesBrain } from './rules.js';
