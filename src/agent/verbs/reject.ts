import { voice } from '@livekit/agents';
import type { AudioFrame, RemoteParticipant, Room } from '@livekit/rtc-node';
import { RECORD_FREE_SESSION_OPTIONS } from '../../privacy/index.js';
import type { CallState } from '../call/call-state.js';
import { EspeakTTS } from '../engines/index.js';
import { waitForCallActive } from '../call/sip-participant.js';
import { audioStream } from '../line-audio.js';

export interface RejectContext {
  call: CallState;
  room: Room;
  caller: RemoteParticipant;
  /** The refusal, synthesised before the call rang; it always carries the 112 sentence. */
  prompt: { text: string; frames: AudioFrame[] };
  /** How long the caller's leg may take to become active before the prompt is skipped. */
  activeTimeoutMs: number;
  /** The agent's voice, already in the room; without it the session publishes its own. */
  output?: voice.ParticipantAudioOutput;
}

/**
 * Reject: answers with a session that has only a voice (no STT, no brain: no vendor is paid),
 * plays the prompt from memory, and ends the call. The caller may hang up during the prompt.
 */
export async function reject(ctx: RejectContext, reason: string): Promise<void> {
  const { call, room, caller, prompt } = ctx;
  call.outcome = `rejected:${reason}`;
  // The prompt is played from memory; the TTS is only there because a session that speaks needs one.
  const session = new voice.AgentSession({ tts: new EspeakTTS({ language: call.language }) });
  if (ctx.output) session.output.audio = ctx.output;
  try {
    await session.start({
      agent: new voice.Agent({ instructions: '' }),
      room,
      // The refused caller is not listened to: no audio input, no VAD, so a burst of refusals
      // costs the machine only their playout.
      inputOptions: { participantIdentity: caller.identity, audioEnabled: false },
      outputOptions: { audioEnabled: !ctx.output },
      ...RECORD_FREE_SESSION_OPTIONS,
    });
    if (await waitForCallActive(room, caller, ctx.activeTimeoutMs)) {
      const played = session
        .say(prompt.text, { audio: audioStream(prompt.frames), allowInterruptions: false })
        .waitForPlayout();
      await Promise.race([played, call.ended]);
    }
  } finally {
    await session.close();
  }
}
