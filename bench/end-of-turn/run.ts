/**
 * M4: premature end-of-turn on a labelled nl/fr/en/de set, and what the audio end-of-turn model
 * gains, side by side with VAD-only endpointing.
 *
 * Each utterance of `utterances.ts` is spoken by espeak-ng (16 kHz) twice: cut at its labelled
 * mid-sentence pause (with a comma, for espeak-ng's continuation intonation) and whole (with a full
 * stop), each followed by the 200 ms of silence after which agents-js asks the model. The bundled
 * model (`@livekit/local-inference`, the one `inference.TurnDetector({ version: 'v1-mini' })`
 * runs) gives p(end) on the last 1.2 s. At or above the threshold a turn is committed after
 * `minDelay`; below it, after `maxDelay`. VAD-only endpointing commits every turn after `vadMs`.
 *
 *   - premature cut-off: an incomplete turn committed during the caller's pause;
 *   - commit delay: when a complete turn is committed after the caller's last word.
 *
 * Printed per threshold (agents-js's per-language defaults, and fixed ones) and pause length.
 *
 *   npx tsx bench/end-of-turn/run.ts [--min-delay 300] [--max-delay 500] [--vad-ms 500]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LANGUAGES, type Language } from '../../src/common/index.js';
import { readWav } from '../../test/support/audio.js';
import { UTTERANCES } from './utterances.js';

/** agents-js's per-language thresholds of the local model (inference/eot/languages.js). */
const DEFAULT_THRESHOLDS: Record<Language, number> = { nl: 0.2, fr: 0.285, en: 0.36, de: 0.245 };
const FIXED_THRESHOLDS = [0.4, 0.5, 0.6];
const PAUSES_MS = [400, 700];
const TRAILING_SILENCE_MS = 200;
/** The model reads at most 1.2 s at 16 kHz: the end of the speech and its trailing silence. */
const MODEL_WINDOW_SAMPLES = 19_200;

const { values } = parseArgs({
  options: {
    'min-delay': { type: 'string', default: '300' },
    'max-delay': { type: 'string', default: '500' },
    'vad-ms': { type: 'string', default: '500' },
  },
});
const minDelay = Number(values['min-delay']);
const maxDelay = Number(values['max-delay']);
const vadMs = Number(values['vad-ms']);

// A dependency of @livekit/agents (its TurnDetector's local model), loaded the same way.
const require = createRequire(import.meta.url);
const model = require('@livekit/local-inference') as { predict(pcm: Int16Array): Promise<number> };

const dir = mkdtempSync(join(tmpdir(), 'sb-bench-eot-'));
let n = 0;

/** espeak-ng speech at 16 kHz mono, then the silence after which the model is asked. */
function speech(text: string, language: Language): Int16Array {
  const raw = join(dir, `${n}.raw.wav`);
  const wav = join(dir, `${n++}.wav`);
  execFileSync('espeak-ng', ['-v', language, '-w', raw, text]);
  const pad = String(TRAILING_SILENCE_MS / 1000);
  execFileSync('sox', [raw, '-r', '16000', '-c', '1', '-b', '16', wav, 'pad', '0', pad]);
  return readWav(readFileSync(wav)).samples.slice(-MODEL_WINDOW_SAMPLES);
}

interface Scored {
  language: Language;
  fragment: number;
  whole: number;
}

async function main() {
  const scored: Scored[] = [];
  for (const language of LANGUAGES) {
    for (const labelled of UTTERANCES[language]) {
      const [head, tail] = labelled.split('|').map((s) => s.trim());
      scored.push({
        language,
        fragment: await model.predict(speech(`${head},`, language)),
        whole: await model.predict(speech(`${head} ${tail}.`, language)),
      });
    }
  }
  rmSync(dir, { recursive: true, force: true });

  const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(0)} %`;
  const policies: Array<{ name: string; threshold: (l: Language) => number }> = [
    {
      name: 'agents-js defaults (nl 0.2, fr 0.285, en 0.36, de 0.245)',
      threshold: (l) => DEFAULT_THRESHOLDS[l],
    },
    ...FIXED_THRESHOLDS.map((t) => ({ name: `${t} for every language`, threshold: () => t })),
  ];
  console.log(
    `end of turn: ${scored.length} labelled utterances (${UTTERANCES.en.length} per language); model: minDelay ${minDelay}, maxDelay ${maxDelay} ms; VAD only: ${vadMs} ms`,
  );
  console.log(
    `| policy | premature cuts, ${PAUSES_MS.map((p) => `${p} ms pause`).join(' | premature cuts, ')} | completes committed at minDelay | mean commit delay of a complete turn |`,
  );
  console.log(`| --- | ${PAUSES_MS.map(() => '---:').join(' | ')} | ---: | ---: |`);
  const row = (
    name: string,
    cut: (s: Scored, pause: number) => boolean,
    delay: (s: Scored) => number,
  ) => {
    const cuts = PAUSES_MS.map((pause) => {
      const c = scored.filter((s) => cut(s, pause)).length;
      return `${c}/${scored.length} (${pct(c, scored.length)})`;
    });
    const delays = scored.map(delay);
    const fast = delays.filter((d) => d === minDelay).length;
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    console.log(
      `| ${name} | ${cuts.join(' | ')} | ${fast}/${scored.length} | ${mean.toFixed(0)} ms |`,
    );
  };
  row(
    `VAD only, ${vadMs} ms`,
    (_s, pause) => pause > vadMs,
    () => vadMs,
  );
  for (const policy of policies) {
    const complete = (s: Scored, p: number) => p >= policy.threshold(s.language);
    row(
      `model, ${policy.name}`,
      (s, pause) => pause > (complete(s, s.fragment) ? minDelay : maxDelay),
      (s) => (complete(s, s.whole) ? minDelay : maxDelay),
    );
  }
  for (const language of LANGUAGES) {
    const mine = scored.filter((s) => s.language === language);
    const fmt = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
    console.log(
      `p(end) ${language}: incomplete ${fmt(mine.map((s) => s.fragment))}; complete ${fmt(mine.map((s) => s.whole))}`,
    );
  }
}

await main();
