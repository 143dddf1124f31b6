import { voice } from '@livekit/agents';
import { TrackPublishOptions, TrackSource, type Room } from '@livekit/rtc-node';
import type { Logger } from '../../telemetry/index.js';

/** The agent's voice in the room, published before anything is decided about the call. */
export interface AgentVoice {
  /**
   * The session's audio output (a refusal's or the conversation's): the track already in the
   * room. Undefined once publishing it failed: the session then publishes a track of its own.
   */
  readonly output: voice.ParticipantAudioOutput | undefined;
  /** Resolves once the gateway has subscribed to the track (true), or publishing failed (false). */
  subscribed: Promise<boolean>;
  close(): Promise<void>;
}

/**
 * livekit-sip answers an inbound call (200 OK) as soon as it subscribes to an audio track of the
 * agent's. Left to the session, that track is published only once admission has decided and the
 * session is built: 200-300 ms after the agent joined, on this hardware, plus a second WebRTC
 * negotiation. So the job publishes its voice right after joining and hands the same output to
 * whichever session speaks: the gateway answers while admission and the session are under way, and
 * the greeting finds its track subscribed. The track stays silent until the call is active.
 */
export function publishAgentVoice(room: Room, logger: Logger): AgentVoice {
  // As RoomIO would build it (agents-js's defaults: 24 kHz mono, a 200 ms source queue).
  const output = new voice.ParticipantAudioOutput(room, {
    sampleRate: 24_000,
    numChannels: 1,
    queueSizeMs: 200,
    trackPublishOptions: new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }),
  });
  const closed = new AbortController();
  let failed = false;
  const subscribed = output.start(closed.signal).then(
    () => true,
    (err: unknown) => {
      failed = true;
      logger.warn(
        { err: err instanceof Error ? err.message : String(err) },
        'publishing the agent voice failed',
      );
      return false;
    },
  );
  return {
    get output() {
      return failed ? undefined : output;
    },
    subscribed,
    close: async () => {
      closed.abort();
      await output.close();
    },
  };
}
