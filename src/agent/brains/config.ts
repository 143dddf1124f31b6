import { z } from 'zod';
import { isLoopbackUrl } from '../../common/index.js';
import { rulesBrainConfigSchema } from './rules-config.js';

// Slices must not import agent/config.ts at run time: it imports this file (circular ESM).
const sentences = (defaults: { nl: string; fr: string; en: string; de: string }) =>
  z
    .object({
      nl: z.string().min(1).default(defaults.nl),
      fr: z.string().min(1).default(defaults.fr),
      en: z.string().min(1).default(defaults.en),
      de: z.string().min(1).default(defaults.de),
    })
    .strict()
    .default({});

export const DEFAULT_LLM_INSTRUCTIONS = [
  'You are the telephone assistant of a helpdesk. You are speaking with a caller on the phone.',
  "Callers speak Dutch, French, English or German: always answer in the caller's language.",
  'Answer in one or two short spoken sentences, without lists, markup or emoji.',
  'If the caller asks for a person, or you cannot help, call transfer_to_helpdesk without a target.',
  'When the caller has what they need and says goodbye, say goodbye and call end_call.',
  'Never invent phone numbers. In an emergency, tell the caller to hang up and dial 112.',
].join(' ');

export const llmBrainConfigSchema = z
  .object({
    /** One text for every language, or one per language. */
    instructions: z
      .union([
        z.string().min(1),
        z
          .object({
            nl: z.string().min(1),
            fr: z.string().min(1),
            en: z.string().min(1),
            de: z.string().min(1),
          })
          .strict(),
      ])
      .default(DEFAULT_LLM_INSTRUCTIONS),
  })
  .strict();

export const backendBrainConfigSchema = z
  .object({
    /** The customer's orchestrator, for example wss://orchestrator.example/switchboard. */
    url: z
      .string()
      .url()
      .refine((u) => /^wss?:\/\//.test(u), 'use a wss:// URL')
      .refine(
        (u) => !u.startsWith('ws://') || isLoopbackUrl(u),
        'use wss://; ws:// is only for a backend on 127.0.0.1, since turn text is personal data',
      )
      .optional(),
    /** Bearer token sent in the Authorization header; write it as ${BACKEND_TOKEN}. */
    token: z.string().optional(),
    /** Time allowed to connect and start the session before turns fall back. */
    connectTimeoutMs: z.number().int().min(100).max(30_000).default(3000),
    /** Silence allowed before the first reply text of a turn, and between later messages. */
    turnTimeoutMs: z.number().int().min(200).max(30_000).default(4000),
    reconnect: z
      .object({
        initialDelayMs: z.number().int().min(10).max(10_000).default(200),
        maxDelayMs: z.number().int().min(100).max(60_000).default(5000),
        multiplier: z.number().min(1).max(10).default(2),
      })
      .strict()
      .default({}),
    /** Said when a turn times out or the backend is unreachable; it offers the human. */
    fallback: sentences({
      nl: 'Sorry, daar kan ik nu niet op antwoorden. Om met een medewerker te spreken, druk op 0 of vraag naar een persoon.',
      fr: "Désolé, je ne peux pas répondre pour le moment. Pour parler à un collègue, appuyez sur 0 ou demandez à parler à quelqu'un.",
      en: "Sorry, I can't answer that right now. To speak to a colleague, press 0 or ask for a person.",
      de: 'Entschuldigung, darauf kann ich gerade nicht antworten. Um mit einem Mitarbeiter zu sprechen, drücken Sie die 0 oder fragen Sie nach einer Person.',
    }),
    /** After this many failed turns in a row the caller is handed to a human. */
    escalateAfterFailures: z.number().int().min(1).max(10).default(2),
  })
  .strict();

/** Config of the agent's brain (rules, llm or backend). */
export const brainConfigSchema = z
  .object({
    kind: z.enum(['rules', 'llm', 'backend']).default('rules'),
    llm: llmBrainConfigSchema.default({}),
    backend: backendBrainConfigSchema.default({}),
    rules: rulesBrainConfigSchema.default({}),
  })
  .strict()
  .superRefine((brain, ctx) => {
    if (brain.kind !== 'backend') return;
    if (!brain.backend.url) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['backend', 'url'],
        message: 'required when agent.brain.kind is backend; set the orchestrator wss:// URL',
      });
    }
    if (!brain.backend.token?.trim()) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['backend', 'token'],
        message: 'required when agent.brain.kind is backend; set it to ${BACKEND_TOKEN}',
      });
    }
  });

export type BrainConfig = z.infer<typeof brainConfigSchema>;
export type LlmBrainConfig = z.infer<typeof llmBrainConfigSchema>;
export type BackendBrainConfig = z.infer<typeof backendBrainConfigSchema>;
