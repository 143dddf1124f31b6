import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../config/index.js';
import { DEV_CALLBACK_KEY } from './config.js';

const REAL_KEY = 'a3f09c5e71b2d84f6e0c9a1b7d3e5f2048c6b1a9e7d05f3c2b8a4e6d1f09c7b3';

/** The problems under `voicemail`, as `path: message`; other slices' pilot problems are ignored. */
function voicemailProblems(raw: Record<string, unknown>): string[] {
  try {
    parseConfig(raw);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return (
      err.problems
        // The trunk's name is checked by provisioning (src/provisioning/config.ts).
        .filter((p) => p.path.startsWith('voicemail') && p.path !== 'voicemail.callback.trunk')
        .map((p) => `${p.path}: ${p.message}`)
    );
  }
}

describe('voicemail config', () => {
  it('refuses a callback without a key to encrypt the number, naming the field', () => {
    const problems = voicemailProblems({ voicemail: { callback: { trunk: 'out' } } });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^voicemail.callbackKeys: voicemail.callback needs a key/);
    expect(
      voicemailProblems({
        voicemail: { callback: { trunk: 'out' }, callbackKeys: [{ id: 'k1', key: REAL_KEY }] },
      }),
    ).toEqual([]);
  });

  it('accepts the dev key under profile dev and refuses it, or a typed-in key, under pilot', () => {
    const keys = (key: { id: string; key: string }) => ({ voicemail: { callbackKeys: [key] } });
    expect(voicemailProblems(keys({ ...DEV_CALLBACK_KEY }))).toEqual([]);
    const pilot = { profile: 'pilot' };
    const dev = voicemailProblems({ ...pilot, ...keys({ ...DEV_CALLBACK_KEY }) });
    expect(dev).toEqual([
      expect.stringMatching(/^voicemail.callbackKeys.0.key: a dev or hand-typed/),
    ]);
    const typed = voicemailProblems({
      ...pilot,
      ...keys({ id: 'k1', key: '0123456'.repeat(9) + '0' }),
    });
    expect(typed).toHaveLength(1);
    expect(voicemailProblems({ ...pilot, ...keys({ id: 'k1', key: REAL_KEY }) })).toEqual([]);
  });

  it('refuses a key id used twice', () => {
    const problems = voicemailProblems({
      voicemail: {
        callbackKeys: [
          { id: 'k1', key: REAL_KEY },
          { id: 'k1', key: REAL_KEY },
        ],
      },
    });
    expect(problems).toEqual(['voicemail.callbackKeys.1.id: key id "k1" is used twice']);
  });

  it('refuses a plain-http webhook to another host under pilot', () => {
    const webhook = (url: string) => ({
      profile: 'pilot',
      voicemail: { webhook: { url, secret: 'whsec-0123456789abcdef' } },
    });
    expect(voicemailProblems(webhook('http://helpdesk.example.org/hook'))).toEqual([
      expect.stringMatching(/^voicemail.webhook.url: .*use https:\/\//),
    ]);
    expect(voicemailProblems(webhook('https://helpdesk.example.org/hook'))).toEqual([]);
    expect(voicemailProblems(webhook('http://127.0.0.1:9000/hook'))).toEqual([]);
  });
});
