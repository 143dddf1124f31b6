import { z } from 'zod';

const phrases = z.array(z.string().trim().min(1));

/**
 * Carrier phrases around a keyword phrase: "what are the | visiting hours", "my father has a |
 * heart attack". With a closed grammar every sound must map to some path through it; without
 * these, the words around a keyword were forced onto other keywords (in trials "what are the
 * visiting hours" came out as "operator visiting hours", a false hand-off).
 */
const DEFAULT_LEAD = [
  'what are the',
  'when are the',
  'where is the',
  'where can i',
  'can i',
  'can you',
  'i want to',
  'i would like',
  'i would like to',
  'i need',
  'i need to',
  'i need an',
  'i need a',
  'my father has a',
  'my mother has a',
  'my husband has a',
  'my wife has a',
  'he has a',
  'she has a',
  'this is an',
  'it is an',
  'there is an',
  'hello',
  'yes',
  'okay',
  'thank you',
  'please',
];

const DEFAULT_TAIL = ['please', 'now', 'thank you', 'my car', 'today', 'tomorrow'];

/** Whole sentences that are none of the keywords, so they are not heard as one. */
const DEFAULT_DECOY = [
  'yes',
  'no',
  'hello',
  'thank you',
  'thank you very much',
  'how are you',
  "i don't know",
  'can you help me',
  'i have a question',
];

export const pocketsphinxConfigSchema = z
  .object({
    /** Debian package `pocketsphinx` (0.8+5prealpha); `pocketsphinx-en-us` brings the model. */
    command: z.string().min(1).default('pocketsphinx_continuous'),
    /** The only acoustic model packaged offline is US English at 16 kHz. */
    acousticModel: z.string().min(1).default('/usr/share/pocketsphinx/model/en-us/en-us'),
    dictionary: z.string().min(1).default('/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict'),
    /** One decode of a turn takes about 0.1 s; past this the turn is dropped with an error. */
    timeoutMs: z
      .number()
      .int()
      .min(500, 'use at least 500 ms; a decode takes about 100 ms plus model loading')
      .max(60_000, 'use at most 60000 ms; a caller will not wait longer for an answer')
      .default(10_000),
    /**
     * Search beams. Wider than pocketsphinx's defaults (1e-48, 7e-29): with the default a
     * short "goodbye" fell out of the beam and nothing was recognised.
     */
    beam: z.number().gt(0).lt(1).default(1e-60),
    wordBeam: z.number().gt(0).lt(1).default(1e-40),
    /** Phrases to listen for besides the classifier's and the FAQ's (English, CMU words). */
    extraPhrases: phrases.default([]),
    leadPhrases: phrases.default(DEFAULT_LEAD),
    tailPhrases: phrases.default(DEFAULT_TAIL),
    decoyPhrases: phrases.default(DEFAULT_DECOY),
  })
  .strict();

export type PocketsphinxConfig = z.infer<typeof pocketsphinxConfigSchema>;
