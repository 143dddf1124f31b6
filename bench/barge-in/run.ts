/**
 * M5: barge-in. A caller talks over the greeting; how long until the agent's audio stops, on the
 * caller's side (target p95 ≤ 250 ms).
 *
 * Starts the stack with the e2e config (offline engines), places N sequential baresip calls over
 * G.722. Each caller starts an FAQ question `--at` seconds after the answer, in the middle of the
 * greeting. From baresip's recording of what the caller heard: the greeting is playing at the
 * caller's speech onset, and it stops at the start of the first silent stretch (≥ 300 ms) after
 * it. The onset is the first voiced 20 ms window of the played WAV, on the same clock as the
 * recording (baresip starts playing at "Call established" and recording at the first packet).
 *
 *   npx tsx bench/barge-in/run.ts [--calls 10] [--at 2] [--barge-in-ms 150]
 */
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { callWithBaresip } from '../../test/support/baresip.js';
import { readWav, speechWav, VOICED_RMS, windowRms } from '../../test/support/audio.js';
import { E2E_CONFIG, startUp, stopStack } from '../../test/support/stack.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '10' },
    at: { type: 'string', default: '2' },
    // agent.bargeInMs for this run; the e2e config's own value (the default) when absent.
    'barge-in-ms': { type: 'string' },
  },
});
const CALLS = Number(values.calls);
const AT_S = Number(values.at);
const WINDOW_MS = 20;
/** A pause in the greeting's own speech is shorter than this; its end is not. */
const STOPPED_MS = 300;

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-barge-'));
  let configPath = E2E_CONFIG;
  if (values['barge-in-ms']) {
    configPath = join(dir, 'switchboard.yaml');
    copyFileSync(E2E_CONFIG, configPath);
    appendFileSync(configPath, `\nagent:\n  bargeInMs: ${Number(values['barge-in-ms'])}\n`);
  }
  const stack = await startUp(configPath);
  const stops: number[] = [];
  let notPlaying = 0;
  try {
    const wav = speechWav(join(dir, 'question.wav'), 'what are the visiting hours', {
      padSeconds: AT_S,
      tailSeconds: 6,
    });
    const played = windowRms(readWav(readFileSync(wav)));
    const onsetMs = played.findIndex((rms) => rms >= VOICED_RMS) * WINDOW_MS;
    for (let i = 0; i < CALLS; i++) {
      const call = await callWithBaresip({
        username: 'softphone',
        password: 'switchboard-dev',
        target: 'sip:anything@127.0.0.1',
        playWav: wav,
        codecs: ['G722'],
        maxSeconds: 30,
      });
      const { answered, rxStarted } = call.timing;
      if (!call.heard || answered === undefined || rxStarted === undefined) {
        console.log(`#${i}: no audio`);
        continue;
      }
      const heard = windowRms(call.heard);
      // The caller's onset on the recording's clock.
      const onset = Math.round((onsetMs - (rxStarted - answered)) / WINDOW_MS);
      const quiet = Math.round(STOPPED_MS / WINDOW_MS);
      const playing = heard.slice(onset - 10, onset).some((rms) => rms >= VOICED_RMS);
      let stop = onset;
      while (
        stop < heard.length &&
        heard.slice(stop, stop + quiet).some((rms) => rms >= VOICED_RMS)
      )
        stop += 1;
      if (!playing) {
        notPlaying += 1;
        console.log(`#${i}: the greeting was not playing at the caller's onset`);
        continue;
      }
      const ms = (stop - onset) * WINDOW_MS;
      stops.push(ms);
      console.log(`#${i}: onset → agent audio stopped ${ms} ms`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await stopStack(stack);
  }
  console.log(
    `barge-in over the greeting at ${AT_S} s, agent.bargeInMs ${values['barge-in-ms'] ?? 'default'}, ${stops.length} calls (${notPlaying} not over speech), load ${loadavg()[0]!.toFixed(2)}`,
  );
  console.log('| metric | p50 ms | p95 ms | max ms | target p95 |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  console.log(
    `| caller onset → agent audio stops | ${percentile(stops, 50)} | ${percentile(stops, 95)} | ${Math.max(...stops)} | 250 |`,
  );
}

await main();
