/** JSON bodies in Deepgram's formats, built from a scripted transcript. */

export interface DeepgramScriptItem {
  transcript: string;
  /** Language reported for the transcript (used when the client asked for `language=multi`). */
  language: string;
  confidence?: number;
}

/** A live `Results` message; `multi` adds the per-alternative `languages` Nova-3 reports. */
export function resultsMessage(r: {
  requestId: string;
  item: DeepgramScriptItem;
  text: string;
  startMs: number;
  endMs: number;
  multi: boolean;
  isFinal: boolean;
  fromFinalize: boolean;
}) {
  const start = r.startMs / 1000;
  const duration = Math.max(r.endMs - r.startMs, 10) / 1000;
  const alternative: Record<string, unknown> = {
    transcript: r.text,
    confidence: r.item.confidence ?? 0.98,
    words: words(r.text, start, duration, r.multi ? r.item.language : undefined),
  };
  if (r.multi) alternative.languages = [r.item.language];
  return {
    type: 'Results',
    channel_index: [0, 1],
    duration,
    start,
    is_final: r.isFinal,
    speech_final: r.isFinal,
    from_finalize: r.fromFinalize,
    channel: { alternatives: [alternative] },
    metadata: {
      request_id: r.requestId,
      model_info: { name: 'general-nova-3', version: 'standin', arch: 'nova-3' },
    },
  };
}

/** The pre-recorded (`POST /v1/listen`) response. */
export function prerecordedBody(item: DeepgramScriptItem, requestId: string) {
  return {
    metadata: { request_id: requestId, models: ['nova-3'] },
    results: {
      channels: [
        {
          detected_language: item.language,
          alternatives: [
            {
              transcript: item.transcript,
              confidence: item.confidence ?? 0.98,
              words: words(item.transcript, 0, 1),
            },
          ],
        },
      ],
    },
  };
}

function words(text: string, start: number, duration: number, language?: string) {
  const list = text.split(/\s+/).filter(Boolean);
  const step = list.length ? duration / list.length : 0;
  return list.map((word, i) => ({
    word: word.toLowerCase().replace(/[.,!?;:]/g, ''),
    punctuated_word: word,
    start: Math.round((start + i * step) * 1000) / 1000,
    end: Math.round((start + (i + 1) * step) * 1000) / 1000,
    confidence: 0.98,
    ...(language ? { language } : {}),
  }));
}
