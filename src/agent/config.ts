import { z } from 'zod';
import { brainConfigSchema } from './brains/config.js';
import { classifierConfigSchema } from './classify/config.js';
import { enginesConfigSchema } from './engines/config.js';

export const languageSchema = z.enum(['nl', 'fr', 'en', 'de']);
export type Language = z.infer<typeof languageSchema>;

const perLanguage = z
  .object({
    nl: z.string().min(1),
    fr: z.string().min(1),
    en: z.string().min(1),
    de: z.string().min(1),
  })
  .strict();

const defaultGreeting = {
  nl: 'Goedendag, u spreekt met de digitale assistent van de helpdesk. Waarmee kan ik u helpen?',
  fr: "Bonjour, vous parlez avec l'assistant numérique du helpdesk. Comment puis-je vous aider?",
  en: 'Hello, you are speaking with the helpdesk assistant. How can I help you?',
  de: 'Guten Tag, Sie sprechen mit dem digitalen Assistenten des Helpdesks. Wie kann ich helfen?',
};

export const agentConfigSchema = z
  .object({
    /** Name used for explicit dispatch; dispatch rules reference it. */
    name: z.string().min(1).default('switchboard-agent'),
    /** Language of the line when the caller's is not known yet. */
    language: languageSchema.default('en'),
    greeting: perLanguage.default(defaultGreeting),
    /** Job processes kept warm so a call does not wait for a fork. */
    idleProcesses: z.number().int().min(0).max(16).default(1),
    /** Worker reports itself full above this CPU load (0..1). */
    loadThreshold: z.number().gt(0).max(1).default(0.9),
    /** Port of the worker's own health endpoint (livekit-sip's is sip.healthPort). */
    healthPort: z.number().int().min(1).max(65535).default(8082),
    /** On SIGTERM the worker stops taking calls and waits this long for active ones to end. */
    drainTimeoutSeconds: z.number().int().min(0).max(3600).default(30),
    logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    engines: enginesConfigSchema.default({}),
    brain: brainConfigSchema.default({}),
    classifier: classifierConfigSchema.default({}),
  })
  .strict();

export type AgentConfig = z.infer<typeof agentConfigSchema>;
