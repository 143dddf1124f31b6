import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { childProcessEnv, RESOLVED_CONFIG_FILE_ENV } from '../config/index.js';
import { createLogger } from '../telemetry/index.js';
import { spawnManaged } from './managed-process.js';

describe('a process the stack starts', () => {
  const logDir = mkdtempSync(join(tmpdir(), 'sb-child-env-'));
  afterAll(() => rmSync(logDir, { recursive: true, force: true }));

  it('sees exactly the environment it was given, without the parent secrets', async () => {
    const parent = {
      ...process.env,
      SWITCHBOARD_PSEUDONYM_KEY: 'secret-pseudonym-key-0123456789',
      ELEVENLABS_API_KEY: 'secret-vendor-key',
    };
    const env = childProcessEnv({ [RESOLVED_CONFIG_FILE_ENV]: '/private/resolved.json' }, parent);
    const proc = spawnManaged({
      name: 'env-probe',
      command: process.execPath,
      args: ['-e', 'process.stdout.write(JSON.stringify(process.env))'],
      env,
      logDir,
      logger: createLogger({ level: 'silent' }),
    });
    expect(await proc.exited).toBe(0);
    await new Promise((r) => setTimeout(r, 50)); // the log stream flushes after exit
    const seen = JSON.parse(readFileSync(proc.logFile, 'utf8')) as Record<string, string>;
    expect(seen[RESOLVED_CONFIG_FILE_ENV]).toBe('/private/resolved.json');
    expect(seen.SWITCHBOARD_PSEUDONYM_KEY).toBeUndefined();
    expect(seen.ELEVENLABS_API_KEY).toBeUndefined();
    expect(JSON.stringify(seen)).not.toContain('secret-');
    // Node may add nothing of its own; everything the child sees was handed to it.
    for (const name of Object.keys(seen)) expect(Object.keys(env)).toContain(name);
  });
});
