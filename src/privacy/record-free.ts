/** A config setting that would record audio, by its dotted path (the shape of a ConfigProblem). */
export interface RecordingSetting {
  path: string;
  message: string;
}

/**
 * The config would record audio. Privacy's own error, so this folder does not depend on config
 * at run time; the CLI prints its message like any config problem.
 */
export class RecordingConfiguredError extends Error {
  constructor(
    readonly source: string,
    readonly settings: RecordingSetting[],
  ) {
    super(
      `invalid configuration in ${source}:\n` +
        settings.map((p) => `  - ${p.path}: ${p.message}`).join('\n'),
    );
    this.name = 'RecordingConfiguredError';
  }
}

/**
 * What the agent passes to `AgentSession.start`: agents-js otherwise follows the server's
 * recording flag, and this line is record-free by design.
 */
export const RECORD_FREE_SESSION_OPTIONS = { record: false } as const;

// Any switch that would store or ship call audio, in any slice, now or added later.
const RECORDING_KEY = /^(record|recording|recordAudio|recordCalls|recordingEnabled|egress)$/i;

/** Every place in the config that would record audio, with its dotted path. */
export function findRecordingSettings(config: unknown, path: string[] = []): RecordingSetting[] {
  if (config === null || typeof config !== 'object') return [];
  return Object.entries(config as Record<string, unknown>).flatMap(([key, value]) => {
    const here = [...path, key];
    const enabled =
      value === true || (typeof value === 'object' && value !== null && key === 'egress');
    if (RECORDING_KEY.test(key) && enabled) {
      return [
        {
          path: here.join('.'),
          message:
            'the line is record-free by design and never stores audio; remove this setting or set it to false',
        },
      ];
    }
    return findRecordingSettings(value, here);
  });
}

/**
 * `up` calls this before starting anything: the schema already refuses `privacy.recordAudio: true`,
 * and this also catches a recording switch in any other slice.
 */
export function assertRecordFree(config: unknown, source = 'configuration'): void {
  const problems = findRecordingSettings(config);
  if (problems.length > 0) throw new RecordingConfiguredError(source, problems);
}
