import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startDeepgram,
  startElevenLabs,
  type DeepgramStandin,
  type ElevenLabsStandin,
} from '../bench/standins/index.js';
import { startExampleBackend, type ExampleBackend } from '../examples/backend/server.js';
import { readWav, speechWav } from './support/audio.js';
import { callWithBaresip, type CallResult } from './support/baresip.js';
import { referTo, TRUNKS, WAV_DIR } from './support/calls.js';
import { ROOT, useStack, type StackHandle } from './support/stack.js';

const CONFIG = join(ROOT, 'test', 'e2e', 'cloud-backend.e2e.yaml');

/** The backend escalates on exactly this text, and answers anything else. */
const ESCALATING = 'I have a question about my bill';
const ESCALATE_REPLY = 'Let me find a colleague for you.';
const MORE = 'never mind what are the visiting hours';
const ANSWER_REPLY = 'Visiting hours are from two until eight in the evening.';

/**
 * Speculative turns end to end (protocol v2, docs/backend-protocol.md): Deepgram and ElevenLabs
 * stand-ins, the reference backend, and the real agent with preemptive generation. This Deepgram
 * stand-in sends a final transcript after 120 ms of silence (espeak-ng leaves at most 40 ms
 * between words); the agent commits a turn only after 500 ms of it (VAD silence, endpointing).
 * espeak-ng ends each phrase with about 290 ms of silence, so a caller who says two phrases back
 * to back gets a speculative turn for the first, then a longer transcript before any commit.
 */
describe('speculative backend turns (cloud stand-ins)', () => {
  let deepgram: DeepgramStandin;
  let elevenlabs: ElevenLabsStandin;
  let backend: ExampleBackend;
  let stack: StackHandle;

  beforeAll(async () => {
    deepgram = await startDeepgram({ port: 18601, endpointingMs: 120 });
    elevenlabs = await startElevenLabs({ port: 18602 });
    backend = await startExampleBackend({
      token: 'e2e-fake-backend-token',
      port: 18603,
      reply: (text) =>
        text === ESCALATING
          ? { text: ESCALATE_REPLY, intent: 'escalate' }
          : { text: ANSWER_REPLY, intent: 'answer' },
    });
    stack = await useStack(CONFIG);
  });
  afterAll(async () => {
    await Promise.all([deepgram.stop(), elevenlabs.stop(), backend.stop()]);
  });

  it('a speculative turn the caller talks past is never committed and its escalate never fires', async () => {
    deepgram.setScript([
      { transcript: ESCALATING, language: 'en' },
      { transcript: MORE, language: 'en' },
    ]);
    const turnsBefore = backend.turns.length;
    const synthesesBefore = elevenlabs.syntheses.length;
    const call = await sayWithPause([ESCALATING, MORE], 0);
    const turns = backend.turns.slice(turnsBefore);

    // The first words went out speculatively, and were discarded when the caller went on.
    expect(
      turns
        .filter((t) => t.text === ESCALATING)
        .map((t) => [t.speculative, t.committed, t.cancelled]),
    ).toEqual([[true, false, true]]);
    expect(turns.filter((t) => t.committed).map((t) => t.text)).toEqual([`${ESCALATING} ${MORE}`]);
    expect(referTo(call.sipTrace), 'no hand-off for a discarded turn').toEqual([]);
    // The committed turn's answer was synthesised. (The discarded reply may have been too, with
    // preemptive TTS, but agents-js plays a generation only once it is scheduled.)
    expect(
      elevenlabs.syntheses
        .slice(synthesesBefore)
        .map((s) => s.text)
        .join(' '),
    ).toContain('Visiting hours');
  });

  it('a speculative turn committed unchanged has its reply spoken and its escalate acted on', async () => {
    deepgram.setScript([{ transcript: ESCALATING, language: 'en' }]);
    const turnsBefore = backend.turns.length;
    const synthesesBefore = elevenlabs.syntheses.length;
    const call = await sayWithPause([ESCALATING], 0);
    const turns = backend.turns.slice(turnsBefore);

    expect(turns.map((t) => [t.text, t.speculative, t.committed, t.cancelled])).toEqual([
      [ESCALATING, true, true, false],
    ]);
    // Sent before the commit, so the backend had time to work on it.
    expect(turns[0]?.commitDelayMs).toBeGreaterThan(0);
    expect(
      elevenlabs.syntheses
        .slice(synthesesBefore)
        .map((s) => s.text)
        .join(' '),
    ).toContain('colleague');
    expect(referTo(call.sipTrace)).toEqual([stack.config.agent.handoff.target]);
  });
});

let n = 0;

/** A caller who says `parts` after the greeting, with `gapSeconds` of silence added between them. */
async function sayWithPause(parts: string[], gapSeconds: number): Promise<CallResult> {
  const wav = speechWav(join(WAV_DIR, `speculative-${n++}.wav`), parts, {
    padSeconds: 5,
    gapSeconds,
    // Long enough for the reply and, when it comes, the hand-off.
    tailSeconds: 14,
  });
  const { sampleRate, samples } = readWav(readFileSync(wav));
  const { dial, ...auth } = TRUNKS.dev;
  return callWithBaresip({
    ...auth,
    target: dial,
    playWav: wav,
    codecs: ['G722'],
    hangupAfterMs: (samples.length / sampleRate) * 1000,
    maxSeconds: 60,
  });
}
