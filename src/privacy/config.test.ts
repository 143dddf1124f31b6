import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../config/index.js';
import { privacyConfigSchema, retentionSeconds } from './config.js';
import {
  assertRecordFree,
  findRecordingSettings,
  RECORD_FREE_SESSION_OPTIONS,
} from './record-free.js';

const messages = (input: unknown): string[] => {
  const result = privacyConfigSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('privacy config', () => {
  it('defaults to 30 days, record-free, prefix sb', () => {
    const config = privacyConfigSchema.parse({});
    expect(config).toEqual({ retentionDays: 30, recordAudio: false, keyPrefix: 'sb' });
    expect(retentionSeconds(config)).toBe(30 * 86_400);
    expect(retentionSeconds({ ...config, retentionSecondsOverride: 2 })).toBe(2);
  });

  it('refuses a retention outside 1..365 days with the range to use', () => {
    expect(messages({ retentionDays: 0 })).toEqual([
      'retentionDays: use between 1 and 365 days; transcripts are kept for this long',
    ]);
    expect(messages({ retentionDays: 366 })[0]).toMatch(/between 1 and 365 days/);
    expect(messages({ retentionDays: 1.5 })[0]).toMatch(/whole number of days/);
    expect(messages({ retentionSecondsOverride: 0 })[0]).toMatch(/between 1 and 86400 seconds/);
    expect(messages({ retentionSecondsOverride: 86_401 })[0]).toMatch(/between 1 and 86400/);
    expect(messages({ retentionDays: 365, retentionSecondsOverride: 86_400 })).toEqual([]);
  });

  it('refuses recordAudio: true, saying the line is record-free', () => {
    expect(messages({ recordAudio: true })).toEqual([
      expect.stringMatching(/^recordAudio: the line is record-free by design/),
    ]);
    expect(messages({ recordAudio: false })).toEqual([]);
  });

  it('refuses unknown keys and prefixes that would break a hash tag', () => {
    expect(messages({ retention: 30 }).length).toBe(1);
    expect(messages({ keyPrefix: 'a{b}' })[0]).toMatch(/no braces/);
  });

  it('reports the refusal through the config loader, naming the field', () => {
    expect(() => parseConfig({ privacy: { recordAudio: true, retentionDays: 400 } })).toThrow(
      ConfigError,
    );
    try {
      parseConfig({ privacy: { recordAudio: true, retentionDays: 400 } });
    } catch (err) {
      const problems = (err as ConfigError).problems.map((p) => p.path);
      expect(problems).toEqual(
        expect.arrayContaining(['privacy.recordAudio', 'privacy.retentionDays']),
      );
    }
  });
});

describe('record-free guard', () => {
  it('finds a recording switch in any slice, with its path', () => {
    const config = {
      privacy: { recordAudio: false },
      agent: { session: { record: true } },
      livekit: { egress: { s3: {} } },
      other: { recording: false, record: 'no' },
    };
    expect(findRecordingSettings(config).map((p) => p.path)).toEqual([
      'agent.session.record',
      'livekit.egress',
    ]);
    expect(() => assertRecordFree(config)).toThrow(
      /agent\.session\.record: the line is record-free/,
    );
  });

  it('accepts the default config and gives the agent record: false', () => {
    expect(() => assertRecordFree(parseConfig({}))).not.toThrow();
    expect(RECORD_FREE_SESSION_OPTIONS).toEqual({ record: false });
  });
});
