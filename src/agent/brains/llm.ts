import { llm } from '@livekit/agents';
import { z } from 'zod';
import type { Language } from '../config.js';
import type { LlmBrainConfig } from './config.js';

/**
 * The OpenAI-backed brain: instructions from config and two tools. The tools decide nothing
 * themselves: they hand the model's request to callbacks, and the hand-off code behind
 * `onTransfer` enforces the transfer allowlist. A target the model made up (or was talked into
 * by the caller) is only ever a request.
 */
export interface LlmBrainCallbacks {
  /** The model asks for a transfer; `target` is whatever it put in the call, if anything. */
  onTransfer(target: string | undefined): Promise<string | void> | string | void;
  /** The model asks to end the call. */
  onEndCall(): Promise<string | void> | string | void;
}

export const transferParameters = z.object({
  target: z
    .string()
    .optional()
    .describe('Leave empty to reach the helpdesk. Only numbers from the configured list are used.'),
});

/** Anonymous tools keyed by the names the model sees; pass the object as an Agent's `tools`. */
export function createLlmBrainTools(callbacks: LlmBrainCallbacks) {
  return {
    transfer_to_helpdesk: llm.tool({
      description:
        'Transfer the caller to a human at the helpdesk. Use it when the caller asks for a person, or when you cannot help.',
      parameters: transferParameters,
      execute: async ({ target }) => {
        const reply = await callbacks.onTransfer(target?.trim() || undefined);
        return reply ?? 'The transfer to the helpdesk has started.';
      },
    }),
    end_call: llm.tool({
      description: 'End the call after saying goodbye, when the caller has what they need.',
      execute: async () => {
        const reply = await callbacks.onEndCall();
        return reply ?? 'The call is ending.';
      },
    }),
  };
}

/** The instructions for a call in `language`. */
export function llmInstructions(config: LlmBrainConfig, language: Language): string {
  return typeof config.instructions === 'string'
    ? config.instructions
    : config.instructions[language];
}
