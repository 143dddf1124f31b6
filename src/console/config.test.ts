import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../config/index.js';
import { DEV_CONSOLE_PASSWORD_HASH } from './config.js';
import { hashPassword, verifyPassword } from './password-hash.js';

const ROOT = join(import.meta.dirname, '..', '..');

const problems = (raw: unknown): string[] => {
  try {
    parseConfig(raw);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems.map((p) => `${p.path}: ${p.message}`);
  }
};

describe('console config', () => {
  it('defaults to no users (console closed) and an 8-hour session', () => {
    const config = parseConfig({});
    expect(config.console).toEqual({
      users: [],
      sessionMinutes: 480,
      maxLoginFailures: 5,
      loginLockSeconds: 300,
    });
  });

  it('names the field and the fix for a bad hash, a duplicate user and an unknown key', () => {
    const found = problems({
      console: {
        users: [
          { name: 'operator', passwordHash: 'hunter2' },
          { name: 'operator', passwordHash: DEV_CONSOLE_PASSWORD_HASH },
        ],
        sesionMinutes: 10,
      },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^console\.users\.0\.passwordHash: not a scrypt hash.*switchboard console hash-password/,
        ),
        expect.stringMatching(/^console\.users\.1\.name: user "operator" is listed twice/),
        expect.stringMatching(/^console.*sesionMinutes/),
      ]),
    );
  });

  it('refuses weak scrypt parameters', () => {
    const weak = DEV_CONSOLE_PASSWORD_HASH.replace('scrypt$32768$', 'scrypt$1024$');
    expect(problems({ console: { users: [{ name: 'a', passwordHash: weak }] } })).toEqual([
      expect.stringMatching(/passwordHash: N must be a power of two/),
    ]);
  });

  it('refuses the dev password hash under profile pilot', () => {
    const found = problems({
      profile: 'pilot',
      console: { users: [{ name: 'operator', passwordHash: DEV_CONSOLE_PASSWORD_HASH }] },
    });
    expect(found).toContainEqual(
      expect.stringMatching(
        /^console\.users\.0\.passwordHash: the dev console password is refused under profile pilot/,
      ),
    );
  });

  it('the shipped dev hash is the hash of dev-console-password', async () => {
    expect(await verifyPassword('dev-console-password', DEV_CONSOLE_PASSWORD_HASH)).toBe(true);
    expect(await verifyPassword('dev-console-passwore', DEV_CONSOLE_PASSWORD_HASH)).toBe(false);
  });

  it('salts every hash', async () => {
    const [a, b] = [await hashPassword('same password'), await hashPassword('same password')];
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password', b)).toBe(true);
    expect(await verifyPassword('same password', 'scrypt$garbage')).toBe(false);
  });
});

describe('switchboard console hash-password', () => {
  const run = (input: string, args: string[] = []) =>
    spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('./src/cli/main.ts').then(async (m) => { process.exitCode = await m.main(['console', 'hash-password', ...${JSON.stringify(args)}]); })`,
      ],
      { cwd: ROOT, input, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
    );

  it('reads the password from stdin and prints a hash that verifies and loads', async () => {
    const out = run('a long enough passphrase\n');
    expect(out.status).toBe(0);
    const hash = out.stdout.trim();
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(out.stdout + out.stderr).not.toContain('a long enough passphrase');
    expect(await verifyPassword('a long enough passphrase', hash)).toBe(true);
    expect(
      parseConfig({ console: { users: [{ name: 'x', passwordHash: hash }] } }).console.users,
    ).toHaveLength(1);
  });

  it('takes no password on the command line and refuses a short one', () => {
    const argv = run('', ['--password', 'secret-on-argv']);
    expect(argv.status).toBe(1);
    expect(argv.stderr).toMatch(/takes no arguments/);
    const short = run('short\n');
    expect(short.status).toBe(1);
    expect(short.stderr).toMatch(/at least 12 characters/);
    expect(short.stdout).toBe('');
  });
});
