import { z } from 'zod';
import { E164_PATTERN, languageSchema, type Language } from '../common/index.js';
import { brainConfigSchema } from './brains/config.js';
import { classifierConfigSchema } from './classify/config.js';
import { enginesConfigSchema } from './engines/config.js';

export { languageSchema, type Language };

const perLanguage = z
  .object({
    nl: z.string().min(1),
    fr: z.string().min(1),
    en: z.string().min(1),
    de: z.string().min(1),
  })
  .strict();

const sipTarget = z
  .string()
  .regex(
    new RegExp(`^(tel:${E164_PATTERN}|sip:[^\\s<>"]+)$`),
    'use tel:+<E.164 digits> or a sip: URI',
  );

const sentences = (defaults: Record<Language, string>) => perLanguage.default(defaults);

export const handoffConfigSchema = z
  .object({
    /**
     * The human helpdesk, reached by SIP REFER: `tel:+<E.164>` through the carrier in production.
     * The embedded default is a SIP helpdesk on this machine (port 5099), so a dev hand-off never
     * dials a real number.
     */
    target: sipTarget.default('sip:helpdesk@127.0.0.1:5099'),
    /** Further targets a transfer may go to. The target above is always allowed. */
    allowlist: z.array(sipTarget).default([]),
    /** Time allowed for the REFER and its final NOTIFY. */
    timeoutSeconds: z.number().int().min(5).max(120).default(30),
    announce: sentences({
      nl: 'Ik verbind u door met een medewerker. Een ogenblik.',
      fr: 'Je vous mets en relation avec un collègue. Un instant.',
      en: 'I am putting you through to a colleague. One moment.',
      de: 'Ich verbinde Sie mit einem Mitarbeiter. Einen Moment.',
    }),
    failed: sentences({
      nl: 'Het doorverbinden is niet gelukt. Zeg opnieuw dat u een medewerker wilt, of hang op.',
      fr: "Le transfert n'a pas abouti. Redemandez à parler à quelqu'un, ou raccrochez.",
      en: 'The transfer did not go through. Ask for a person again to retry, or hang up.',
      de: 'Die Weiterleitung hat nicht geklappt. Fragen Sie erneut nach einem Mitarbeiter, oder legen Sie auf.',
    }),
    refused: sentences({
      nl: 'Naar dat nummer kan ik u niet doorverbinden. Ik kan u wel met de helpdesk verbinden.',
      fr: 'Je ne peux pas vous transférer vers ce numéro. Je peux vous passer le helpdesk.',
      en: 'I cannot transfer you to that number. I can put you through to the helpdesk.',
      de: 'Zu dieser Nummer kann ich Sie nicht verbinden. Ich kann Sie mit dem Helpdesk verbinden.',
    }),
  })
  .strict();

export const emergencyConfigSchema = z
  .object({
    /**
     * instruct: tell the caller to hang up and dial 112, and offer the helpdesk (default).
     * transfer: REFER to `target`. A REFER to 112 through a trunk presents the trunk's number and
     * no caller location, which is why it is off by default.
     */
    action: z.enum(['instruct', 'transfer']).default('instruct'),
    target: sipTarget.optional(),
    instruct: sentences({
      nl: 'Bij een noodgeval: hang nu op en bel 112. Wilt u de helpdesk, zeg dan dat u een medewerker wilt.',
      fr: "En cas d'urgence, raccrochez et appelez le 112. Pour le helpdesk, demandez à parler à quelqu'un.",
      en: 'If this is an emergency, hang up now and dial 112. For the helpdesk, ask for a person.',
      de: 'Im Notfall legen Sie jetzt auf und wählen die 112. Für den Helpdesk fragen Sie nach einem Mitarbeiter.',
    }),
  })
  .strict()
  .refine((e) => e.action !== 'transfer' || e.target !== undefined, {
    message: 'emergency.action transfer needs emergency.target (tel:+… or sip:…)',
    path: ['target'],
  });

export const recoveryConfigSchema = z
  .object({
    /**
     * Times a call whose agent vanished (worker or job process killed) gets a fresh agent. After
     * that the caller is handed to the helpdesk instead, so a job that keeps crashing cannot loop.
     */
    maxRedispatches: z.number().int().min(0).max(10).default(2),
    /** What the fresh agent says first, in place of the greeting. */
    resumed: sentences({
      nl: 'Excuses, de verbinding werd even onderbroken. Waarmee kan ik u helpen?',
      fr: 'Excusez-moi, nous avons été coupés. Comment puis-je vous aider?',
      en: 'Sorry, we were cut off. How can I help you?',
      de: 'Entschuldigung, wir wurden unterbrochen. Wie kann ich Ihnen helfen?',
    }),
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
    /**
     * Job processes kept warm so a call does not wait for a fork. Every call, a refused one too,
     * takes one, and agents-js warms replacements one at a time (about 1.1 s of CPU each), so size
     * it to the burst you expect, refused callers included: each costs 70-85 MB (PSS).
     */
    idleProcesses: z.number().int().min(0).max(64).default(1),
    /**
     * Calls one worker takes before it reports itself full. Load is counted in calls, not CPU:
     * machine-wide CPU (other processes, a build) would otherwise make the worker refuse calls.
     */
    maxCallsPerWorker: z.number().int().min(1).max(200).default(25),
    /** Address and port of the worker's own health endpoint (livekit-sip's is sip.healthPort). */
    healthHost: z.string().min(1).default('127.0.0.1'),
    healthPort: z.number().int().min(1).max(65535).default(8082),
    /** On SIGTERM the worker stops taking calls and waits this long for active ones to end. */
    drainTimeoutSeconds: z.number().int().min(0).max(3600).default(30),
    logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    /**
     * agents-js's event-loop monitor: warns when a process's loop stalls this long (ms); 0 turns
     * it off. It ticks every 20-50 ms in every job process, idle ones too, which cost each about
     * 1 % of a core (0.25 % without it): set it while hunting latency, not on a busy line.
     */
    loopBlockWarnMs: z.number().int().min(0).max(10_000).default(0),
    handoff: handoffConfigSchema.default({}),
    emergency: emergencyConfigSchema.default({}),
    recovery: recoveryConfigSchema.default({}),
    goodbye: sentences({
      nl: 'Bedankt voor uw oproep. Tot ziens.',
      fr: 'Merci pour votre appel. Au revoir.',
      en: 'Thank you for calling. Goodbye.',
      de: 'Danke für Ihren Anruf. Auf Wiederhören.',
    }),
    /** Silence after the caller's last word before the turn ends (VAD endpointing). */
    endpointingMs: z.number().int().min(100).max(3000).default(500),
    /**
     * What ends a caller's turn. `vad`: `endpointingMs` of silence. `audio-model`: agents-js's
     * local audio end-of-turn model (`inference.TurnDetector` v1-mini, in-process, no download)
     * is asked after 250 ms of silence; a turn it calls complete ends after `minDelayMs`, any
     * other after `maxDelayMs`. Off by default: on the labelled set in bench/end-of-turn it cut
     * half of the mid-sentence pauses (see bench/README.md).
     */
    endOfTurn: z
      .object({
        detector: z.enum(['vad', 'audio-model']).default('vad'),
        minDelayMs: z.number().int().min(250).max(3000).default(300),
        maxDelayMs: z.number().int().min(250).max(6000).default(1500),
        /** p(end) below which a turn waits for maxDelayMs; default: agents-js's per language. */
        threshold: z.number().min(0).max(1).optional(),
      })
      .strict()
      .refine((e) => e.maxDelayMs >= e.minDelayMs, {
        message: 'maxDelayMs must be at least minDelayMs',
        path: ['maxDelayMs'],
      })
      .default({}),
    /**
     * Barge-in: how long the caller must speak over the agent before it stops talking (and
     * listens). Safety lines (the 112 instruction, the hand-off announcement) are never
     * interrupted. Shorter stops sooner; longer ignores coughs and line noise.
     */
    bargeInMs: z.number().int().min(50).max(2000).default(150),
    engines: enginesConfigSchema.default({}),
    brain: brainConfigSchema.default({}),
    classifier: classifierConfigSchema.default({}),
  })
  .strict();

export type AgentConfig = z.infer<typeof agentConfigSchema>;
export type HandoffConfig = z.infer<typeof handoffConfigSchema>;
export type EmergencyConfig = z.infer<typeof emergencyConfigSchema>;

/** The VAD's end-of-speech silence: the audio model is asked after 250 ms (it needs 200 + 50). */
export function vadSilenceMs(agent: Pick<AgentConfig, 'endpointingMs' | 'endOfTurn'>): number {
  return agent.endOfTurn.detector === 'audio-model' ? 250 : agent.endpointingMs;
}
