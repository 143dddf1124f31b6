import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  childProcessEnv,
  ConfigError,
  loadConfig,
  parseConfig,
  RESOLVED_CONFIG_FILE_ENV,
  writeResolvedConfig,
} from './index.js';

const SECRET = 'pseudonym-key-from-the-environment-0123';

describe('the resolved config handed from `up` to its children', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-resolved-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const config = parseConfig(
    { admission: { pseudonymKeys: [{ id: 'k1', secret: '${SWITCHBOARD_PSEUDONYM_KEY}' }] } },
    'test',
    { SWITCHBOARD_PSEUDONYM_KEY: SECRET },
  );

  it('is a file only the owner can read, in a folder only the owner can enter', () => {
    const privateDir = join(dir, 'config');
    // A file left by a crashed run with a looser mode is replaced, not reused.
    const { path, remove } = writeResolvedConfig(privateDir, config);
    writeFileSync(path, '{}', { mode: 0o644 });
    const again = writeResolvedConfig(privateDir, config);
    expect(again.path).toBe(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(privateDir).mode & 0o777).toBe(0o700);
    remove();
    expect(() => statSync(path)).toThrow();
  });

  it('is what loadConfig() reads when only its path is in the environment', () => {
    const { path } = writeResolvedConfig(join(dir, 'load'), config);
    const loaded = loadConfig({ env: { [RESOLVED_CONFIG_FILE_ENV]: path } });
    expect(loaded.source).toBe('switchboard up');
    expect(loaded.config).toEqual(config);
    expect(JSON.stringify(loaded.config)).toContain(SECRET);
  });

  it('fails as a ConfigError that keeps the cause when the file is gone', () => {
    let error: unknown;
    try {
      loadConfig({ env: { [RESOLVED_CONFIG_FILE_ENV]: join(dir, 'gone.json') } });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).cause).toBeInstanceOf(Error);
  });
});

describe('childProcessEnv', () => {
  const parent = {
    PATH: '/usr/bin:/bin',
    HOME: '/home/sb',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    TMPDIR: '/tmp',
    NODE_OPTIONS: '--enable-source-maps',
    SWITCHBOARD_PSEUDONYM_KEY: SECRET,
    LIVEKIT_API_SECRET: 'livekit-secret',
    DEEPGRAM_API_KEY: 'dg-key',
    SWITCHBOARD_CONFIG: '/etc/switchboard.yaml',
    SWITCHBOARD_CONFIG_JSON: '{"livekit":{"apiSecret":"x"}}',
  };

  it('keeps what a process needs to run and nothing a config could reference', () => {
    const env = childProcessEnv(
      { [RESOLVED_CONFIG_FILE_ENV]: '/run/sb/config/resolved-config.json' },
      parent,
    );
    expect(Object.keys(env).sort()).toEqual(
      ['HOME', 'LANG', 'LC_ALL', 'NODE_OPTIONS', 'PATH', 'TMPDIR', RESOLVED_CONFIG_FILE_ENV].sort(),
    );
    const values = Object.values(env).join('\n');
    for (const secret of [SECRET, 'livekit-secret', 'dg-key', 'apiSecret']) {
      expect(values).not.toContain(secret);
    }
  });
});
