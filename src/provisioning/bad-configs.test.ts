import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError, parseConfig } from '../config/index.js';

const dir = resolve(dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/bad-configs');
type Expected = Array<{ path: string; message: string }>;
const expectations = parse(readFileSync(join(dir, 'expectations.yaml'), 'utf8')) as Record<
  string,
  Expected
>;
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml') && f !== 'expectations.yaml')
  .sort();

function problemsOf(file: string) {
  const raw: unknown = parse(readFileSync(join(dir, file), 'utf8')) ?? {};
  try {
    parseConfig(raw, file, {});
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return undefined;
}

describe('bad config corpus', () => {
  it('has at least 15 configs, each with expectations, and no stale expectations', () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
    expect(Object.keys(expectations).sort()).toEqual(files);
  });

  it.each(files)('%s is refused with the expected path and message', (file) => {
    const problems = problemsOf(file);
    expect(problems, `${file} was accepted`).toBeDefined();
    for (const want of expectations[file] ?? []) {
      const match = problems?.find((p) => p.path === want.path && p.message.includes(want.message));
      expect(
        match,
        `${file}: no problem at ${want.path} saying "${want.message}"; got ${JSON.stringify(problems)}`,
      ).toBeDefined();
    }
  });
});
