import { AudioFrame, AudioResampler, combineAudioFrames } from '@livekit/rtc-node';

/** The en-us acoustic model is trained on 16 kHz audio; it recognises nothing at 8 kHz. */
export const POCKETSPHINX_SAMPLE_RATE = 16_000;

/**
 * One turn's frames as 16 kHz mono signed 16-bit little-endian PCM, the raw input
 * pocketsphinx_continuous reads. Channels are averaged; other rates go through the rtc-node
 * (soxr) resampler. Upsampling narrowband audio does not bring back what G.711 cut off: a
 * phone call must reach us over a wideband codec (G.722) for this recogniser to work.
 */
export function toRecognizerPcm(buffer: AudioFrame | AudioFrame[]): Buffer {
  const frames = Array.isArray(buffer) ? buffer : [buffer];
  if (frames.length === 0) return Buffer.alloc(0);
  const merged = combineAudioFrames(frames);
  const mono = downmix(merged);
  const pcm = mono.sampleRate === POCKETSPHINX_SAMPLE_RATE ? mono.data : resample(mono).data;
  return Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
}

function downmix(frame: AudioFrame): AudioFrame {
  if (frame.channels === 1) return frame;
  const n = frame.samplesPerChannel;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let c = 0; c < frame.channels; c++) sum += frame.data[i * frame.channels + c] ?? 0;
    out[i] = Math.round(sum / frame.channels);
  }
  return new AudioFrame(out, frame.sampleRate, 1, n);
}

function resample(frame: AudioFrame): AudioFrame {
  const resampler = new AudioResampler(frame.sampleRate, POCKETSPHINX_SAMPLE_RATE, 1);
  try {
    const out = [...resampler.push(frame), ...resampler.flush()];
    return out.length > 0
      ? combineAudioFrames(out)
      : new AudioFrame(new Int16Array(0), POCKETSPHINX_SAMPLE_RATE, 1, 0);
  } finally {
    // The resampler holds a native handle; leaking one per turn would leak a file descriptor.
    resampler.close();
  }
}
