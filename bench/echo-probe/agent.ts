/**
 * The echo probe's job: joins the call's room, publishes an audio track at once (livekit-sip
 * answers the INVITE when it subscribes to a track published in the room, as with the real
 * agent), and writes every audible frame the caller sends straight back into that track's
 * AudioSource. No VAD, STT, LLM or TTS: what the caller measures is the media path alone.
 *
 * Silent frames are dropped on purpose. The real agent's source is empty between utterances, so
 * livekit-sip's mixer starves and re-buffers at the start of each reply; an echo that kept the
 * source fed with silence would hide that cost and read lower than the path a reply takes.
 */
import { AutoSubscribe, defineAgent, type JobContext } from '@livekit/agents';
import {
  AudioSource,
  AudioStream,
  LocalAudioTrack,
  RoomEvent,
  TrackKind,
  TrackPublishOptions,
  TrackSource,
  type AudioFrame,
  type RemoteTrack,
} from '@livekit/rtc-node';

/** The agent's room I/O rate (RoomIO's default, in and out), so resampling matches a reply's. */
const SAMPLE_RATE = 24000;
/** RoomIO's queue for the agent's source; it bounds buffering, not first-frame latency. */
const QUEUE_MS = 200;
/** Peak (of 32768) above which a frame is audible: codec noise on silence stays far below. */
const AUDIBLE_PEAK = 200;

export function audible(frame: AudioFrame, peak = AUDIBLE_PEAK): boolean {
  for (const sample of frame.data) if (Math.abs(sample) > peak) return true;
  return false;
}

async function echo(track: RemoteTrack, source: AudioSource): Promise<void> {
  const stream = new AudioStream(track, { sampleRate: SAMPLE_RATE, numChannels: 1 });
  for await (const frame of stream) {
    if (audible(frame)) await source.captureFrame(frame);
  }
}

export default defineAgent({
  entry: async (ctx: JobContext) => {
    await ctx.connect(undefined, AutoSubscribe.AUDIO_ONLY);
    const room = ctx.room;
    const source = new AudioSource(SAMPLE_RATE, 1, QUEUE_MS);
    const track = LocalAudioTrack.createAudioTrack('echo', source);
    const options = new TrackPublishOptions();
    options.source = TrackSource.SOURCE_MICROPHONE;
    await room.localParticipant!.publishTrack(track, options);

    const echoing = new Set<string>();
    const start = (remote: RemoteTrack) => {
      if (remote.kind !== TrackKind.KIND_AUDIO || !remote.sid || echoing.has(remote.sid)) return;
      echoing.add(remote.sid);
      echo(remote, source).catch(() => undefined);
    };
    room.on(RoomEvent.TrackSubscribed, (remote) => start(remote));
    for (const participant of room.remoteParticipants.values()) {
      for (const publication of participant.trackPublications.values()) {
        if (publication.track) start(publication.track);
      }
    }
    // The caller hung up: nobody is left to echo to, so the room need not wait for its timeout.
    room.on(RoomEvent.ParticipantDisconnected, () => {
      if (room.remoteParticipants.size === 0) ctx.shutdown('caller left');
    });
  },
});
