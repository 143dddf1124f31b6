/**
 * Call set-up and turn latency on the real stack (M7, M3/M2 as measured on the caller's side).
 *
 * Starts the stack with the cloud e2e config, whose STT, TTS and brain are local stand-ins with
 * zero artificial delay, so what remains is our orchestration plus the components' own work.
 * Places N sequential calls with baresip over G.722; each caller waits for the greeting, says
 * one sentence, and listens for the answer. Prints p50/p95 per metric.
 *
 *   npx tsx bench/call/run.ts [--calls 8]
 *
 * Method: `invite→200` and `200→greeting` come from baresip's own timeline (SIP trace lines and
 * its decoded-audio recording). The turn gap is the time from the end of the caller's sentence
 * (the last voiced window of the played WAV, on the same media clock as the recording) to the first
 * voiced 20 ms window of the answer; `gap − endpointing` subtracts the agent's configured end-of-
 * turn silence (VAD) and the STT stand-in's endpointing, leaving orchestration overhead (M2).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startDeepgram, startElevenLabs } from '../standins/index.js';
import { startExampleBackend } from '../../examples/backend/server.js';
import { callWithBaresip } from '../../test/support/baresip.js';
import { readWav, speechWav, VOICED_RMS, windowRms } from '../../test/support/audio.js';
import { ROOT, startUp, stopStack } from '../../test/support/stack.js';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '8' } } });
const calls = Number(values.calls);
const STT_ENDPOINTING_MS = 300;
const PAD_S = 8;

function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function main(): Promise<void> {
  const deepgram = await startDeepgram({ port: 18601, endpointingMs: STT_ENDPOINTING_MS });
  const elevenlabs = await startElevenLabs({ port: 18602 });
  const backend = await startExampleBackend({
    token: 'e2e-fake-backend-token',
    port: 18603,
    replyDelayMs: 0,
    deltaIntervalMs: 0,
  });
  const stack = await startUp(join(ROOT, 'test', 'e2e', 'cloud-backend.e2e.yaml'));
  const endpointingMs = stack.config.agent.endpointingMs;
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-call-'));
  const rows: Record<string, number[]> = {
    'invite→200 OK': [],
    '200 OK→greeting': [],
    'turn gap': [],
    'gap − endpointing': [],
  };
  try {
    const sentence = 'what are the opening hours of the hospital';
    const wav = speechWav(join(dir, 'turn.wav'), sentence, { padSeconds: PAD_S, tailSeconds: 8 });
    // The last voiced window of what the caller plays: espeak leaves silence of its own at the end.
    const played = windowRms(readWav(readFileSync(wav)));
    const speechEndMs =
      (played.length - [...played].reverse().findIndex((r) => r > VOICED_RMS)) * 20;
    for (let i = 0; i < calls; i++) {
      deepgram.setScript([{ transcript: sentence, language: 'en' }]);
      backend.setScript([
        {
          text: 'We are open from eight in the morning until eight in the evening.',
          intent: 'answer',
        },
      ]);
      const call = await callWithBaresip({
        username: 'softphone',
        password: 'switchboard-dev',
        target: 'sip:anything@127.0.0.1',
        playWav: wav,
        codecs: ['G722'],
        maxSeconds: 40,
      });
      const { invite, answered, rxStarted } = call.timing;
      if (
        !call.established ||
        !call.heard ||
        invite === undefined ||
        answered === undefined ||
        rxStarted === undefined
      ) {
        console.error(`call ${i + 1}: not established`);
        continue;
      }
      const rms = windowRms(call.heard);
      const greeting = rms.findIndex((r) => r > VOICED_RMS) * 20;
      const answerAt = rms.findIndex((r, w) => w * 20 > speechEndMs && r > VOICED_RMS) * 20;
      rows['invite→200 OK']!.push(answered - invite);
      rows['200 OK→greeting']!.push(rxStarted + greeting - answered);
      if (answerAt > 0) {
        rows['turn gap']!.push(answerAt - speechEndMs);
        rows['gap − endpointing']!.push(
          answerAt - speechEndMs - Math.max(endpointingMs, STT_ENDPOINTING_MS),
        );
      }
    }
  } finally {
    await stopStack(stack);
    await Promise.all([deepgram.stop(), elevenlabs.stop(), backend.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `\ncall benchmark: ${calls} calls, load average ${loadavg()[0]!.toFixed(2)}, endpointing ${endpointingMs} ms\n`,
  );
  console.log('| metric | n | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|');
  for (const [name, xs] of Object.entries(rows)) {
    console.log(
      `| ${name} | ${xs.length} | ${percentile(xs, 50).toFixed(0)} | ${percentile(xs, 95).toFixed(0)} | ${Math.max(...xs).toFixed(0)} |`,
    );
  }
}

await main();
