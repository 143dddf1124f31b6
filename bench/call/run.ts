/**
 * Call set-up and turn latency on the real stack, with the media floor beside it (SPEC M1, M2,
 * M3, M7).
 *
 *   flock /tmp/sb-e2e.lock npx tsx bench/call/run.ts [--runs 3] [--calls 5] [--profile zero,flash]
 *
 * Builds HEAD in a private folder and starts it with `bench/call/call-bench.yaml`: Deepgram, OpenAI
 * and ElevenLabs plugins against the local stand-ins, and an `echo` trunk whose calls go to the
 * echo probe (`bench/echo-probe`). Each round places, one after another over G.722, an echo call
 * and one call per delay profile (`bench/call/profiles.ts`), so the profiles and the floor share
 * the machine's load. A profile call waits for the greeting, says one sentence and listens.
 *
 * Figures, all from baresip's own timeline (SIP trace and the recording of what it heard), except
 * the agent's, which come from the job's call events:
 * - echo RTT (M1): a tone burst sent → its echo heard. Codec, livekit-sip (resamplers, mixer),
 *   Opus, the job process and baresip's jitter buffer; no STT, LLM or TTS.
 * - turn gap (M3): the end of the caller's last voiced window → the first voiced window of the
 *   answer. `own` is the gap minus the profile's vendor chain minus this run's echo RTT p50: what
 *   our agent adds, the configured end-of-turn silence included.
 * - end of turn / agent internal (M2): from the `turn` call event, measured in the job: caller's
 *   speech end → commit, and commit → the first reply frame into the audio source.
 * - INVITE → greeting (M7): the INVITE sent → the first voiced window of the greeting.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startDeepgram, startElevenLabs, startOpenAI } from '../standins/index.js';
import { callWithBaresip, type CallResult } from '../../test/support/baresip.js';
import { readWav, speechWav } from '../../test/support/audio.js';
import { ROOT, stopStack } from '../../test/support/stack.js';
import { burstStarts, DEFAULT_PROBE, writeProbeWav } from '../echo-probe/probe-wav.js';
import { startEchoProbe } from './echo-worker.js';
import { callIdWithin, readCallEvents, turnStagesMs } from '../../test/support/call-events.js';
import { echoDelays, firstVoicedFrom, lastVoicedEnd, onsets } from './onsets.js';
import { parseProfiles, type Profile } from './profiles.js';
import { printRun, printSummary, type RunFigures, type TurnSample } from './report.js';
import { buildHead, startStack } from './stack.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1' },
    calls: { type: 'string', default: '5' },
    profile: { type: 'string', default: 'zero,flash' },
    // Measure the working tree's dist/ as it is instead of building HEAD.
    tree: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const calls = Number(values.calls);
const profiles = parseProfiles(values.profile);

const CONFIG = join(ROOT, 'bench', 'call', 'call-bench.yaml');
const SEED = 15;
/** Below the longest pause inside the sentence (50 ms), so no utterance splits, and short. */
const STT_ENDPOINTING_MS = 80;
// Goes to the LLM: no classifier phrase in it (an hours question is answered by the hours verb
// since issue 14, live, with no preemptive generation: the bench then measured that path).
const SENTENCE = 'where can i park my car near the hospital';
const REPLY = 'The car park is next to the main entrance.';
/** The greeting (about 4 s of stand-in speech) is over before the caller speaks. */
const PAD_S = 6.5;
const TAIL_S = 3.5;

interface Phone {
  username: string;
  password: string;
  target: string;
}
const AGENT_PHONE: Phone = {
  username: 'softphone',
  password: 'switchboard-dev',
  target: 'sip:anything@127.0.0.1',
};
/** The echo trunk's own number selects it (and its dispatch rule) over the catch-all `dev`. */
const ECHO_PHONE: Phone = {
  username: 'echo',
  password: 'switchboard-echo',
  target: 'sip:+3225550199@127.0.0.1',
};

function dial(phone: Phone, wav: string): Promise<CallResult> {
  return callWithBaresip({
    ...phone,
    playWav: wav,
    codecs: ['G722'],
    maxSeconds: 40,
    // A call nobody answers costs 8 s, not the whole 40.
    ringTimeoutMs: 8000,
  });
}

/** Why a call failed, from baresip's trace: its last SIP status line. */
function sipStatus(call: CallResult): string {
  const status = call.lines.filter((l) => /^SIP\/2\.0 \d{3}/.test(l.text)).at(-1)?.text;
  return `${status ?? 'no SIP response'}${call.gaveUpRinging ? ', gave up ringing' : ''}`;
}

/**
 * baresip starts playing at "Call established" and its recording at the first decoded packet:
 * this is how much later the recording's t=0 is than the played file's.
 */
function recordingLag(call: CallResult): number | undefined {
  const { answered, rxStarted } = call.timing;
  if (!call.established || !call.heard || answered === undefined || rxStarted === undefined)
    return undefined;
  return rxStarted - answered;
}

async function main(): Promise<void> {
  const build = values.tree ? undefined : buildHead();
  const deepgram = await startDeepgram({
    port: 18601,
    endpointingMs: STT_ENDPOINTING_MS,
    delays: { seed: SEED },
  });
  const elevenlabs = await startElevenLabs({ port: 18602, delays: { seed: SEED } });
  const openai = await startOpenAI({
    port: 18604,
    delays: { seed: SEED },
    script: () => ({ text: REPLY }),
  });
  const stack = await startStack(build?.root ?? ROOT, CONFIG);
  const probe = await startEchoProbe(stack.config.livekit);
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-call-'));
  const sentenceWav = speechWav(join(dir, 'turn.wav'), SENTENCE, {
    padSeconds: PAD_S,
    tailSeconds: TAIL_S,
  });
  const speechEnd = lastVoicedEnd(readWav(readFileSync(sentenceWav)))!;
  const probeWav = writeProbeWav(join(dir, 'probe.wav'));
  const sent = burstStarts(DEFAULT_PROBE);
  const results: RunFigures[] = [];

  const echoCall = async (figures: RunFigures) => {
    const call = await dial(ECHO_PHONE, probeWav);
    const lag = recordingLag(call);
    if (lag === undefined)
      return void figures.failed.push(`echo: not answered (${sipStatus(call)})`);
    const heard = onsets(call.heard!);
    // On the recording's clock: a burst sent at s is heard at h; wall time apart = h + lag − s.
    const delays = echoDelays(
      sent.map((s) => s - lag),
      heard,
    );
    if (delays.length < sent.length)
      figures.failed.push(`echo: ${sent.length - delays.length} bursts lost`);
    figures.echo.push(...delays);
  };

  const profileCall = async (profile: Profile, figures: RunFigures) => {
    deepgram.setDelays(profile.deepgram);
    openai.setDelays(profile.openai);
    elevenlabs.setDelays(profile.elevenlabs);
    deepgram.setScript([{ transcript: SENTENCE, language: 'en' }]);
    const call = await dial(AGENT_PHONE, sentenceWav);
    const lag = recordingLag(call);
    const { invite, answered, rxStarted } = call.timing;
    if (lag === undefined || invite === undefined || rxStarted === undefined)
      return void figures.failed.push(`${profile.name}: not answered (${sipStatus(call)})`);
    const greeting = firstVoicedFrom(call.heard!, 0);
    const answer = firstVoicedFrom(call.heard!, speechEnd - lag);
    const sample: TurnSample = {
      profile: profile.name,
      startedAt: call.startedAt,
      endedAt: call.startedAt + (call.timing.ended ?? call.lines.at(-1)?.at ?? 0),
    };
    if (answered !== undefined) sample.inviteToAnswer = answered - invite;
    if (greeting !== undefined) sample.inviteToGreeting = rxStarted + greeting - invite;
    if (answer !== undefined) sample.gap = answer + lag - speechEnd;
    else figures.failed.push(`${profile.name}: no answer heard`);
    figures.turns.push(sample);
  };

  try {
    // One call of each kind first: the first job after a worker start waits for its prewarm.
    const warm: RunFigures = emptyRun(0);
    await echoCall(warm);
    await profileCall(profiles[0]!, warm);
    for (let run = 1; run <= runs; run++) {
      const figures = emptyRun(run);
      const since = Date.now();
      for (let round = 0; round < calls; round++) {
        await echoCall(figures);
        for (const profile of profiles) await profileCall(profile, figures);
      }
      figures.loadEnd = loadavg()[0]!;
      const events = await readCallEvents(stack.config.redis.url, stack.config.deployment, since);
      for (const turn of figures.turns) {
        const callId = callIdWithin(events, turn.startedAt, turn.endedAt);
        const stages = callId ? turnStagesMs(events, callId)[0] : undefined;
        if (stages) turn.stages = stages;
      }
      results.push(figures);
      printRun(figures, profiles, build?.commit ?? 'working tree');
    }
  } finally {
    await probe.stop();
    await stopStack(stack);
    await Promise.all([deepgram.stop(), elevenlabs.stop(), openai.stop()]);
    rmSync(dir, { recursive: true, force: true });
    build?.remove();
  }
  const missed = printSummary(results, profiles);
  process.exitCode = missed > 0 ? 1 : 0;
}

function emptyRun(run: number): RunFigures {
  return { run, loadStart: loadavg()[0]!, loadEnd: NaN, echo: [], turns: [], failed: [] };
}

await main();
