import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from './index.js';

function problems(raw: unknown, env: Record<string, string> = {}) {
  try {
    parseConfig(raw, 'test.yaml', env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs on embedded defaults with no file at all', () => {
    const { config, source } = loadConfig({ cwd: dir, env: {} });
    expect(source).toBe('embedded defaults');
    expect(config.livekit.port).toBe(7880);
    expect(config.sip.port).toBe(5060);
    expect(config.agent.name).toBe('switchboard-agent');
  });

  it('names the path of an unknown key and says what to do', () => {
    expect(problems({ livekit: { prot: 7880 } })).toContainEqual({
      path: 'livekit.prot',
      message: 'unknown key; remove it or check its spelling',
    });
    expect(problems({ lievkit: {} })[0]?.path).toBe('lievkit');
  });

  it('names the path of a wrong type', () => {
    expect(problems({ sip: { port: 'five' } })).toContainEqual({
      path: 'sip.port',
      message: 'expected number, got string',
    });
  });

  it('names the field and the variable when an env reference is not set', () => {
    const found = problems({ livekit: { apiSecret: '${LK_SECRET}' } });
    expect(found).toHaveLength(1);
    expect(found[0]!.path).toBe('livekit.apiSecret');
    expect(found[0]!.message).toMatch(/LK_SECRET is not set; export LK_SECRET=/);
  });

  it('resolves env references', () => {
    expect(
      parseConfig({ livekit: { apiSecret: '${LK_SECRET}' } }, 't', { LK_SECRET: 'x'.repeat(32) })
        .livekit.apiSecret,
    ).toBe('x'.repeat(32));
  });

  it('reports every problem at once, and a YAML syntax error by its position', () => {
    expect(
      problems({ sip: { port: 0, bogus: 1 }, livekit: { port: -1 } })
        .map((p) => p.path)
        .sort(),
    ).toEqual(['livekit.port', 'sip.bogus', 'sip.port']);
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'sip:\n  port: [5060\n');
    expect(() => loadConfig({ path: file, env: {} })).toThrow(/\(yaml\)/);
  });

  it('says which file was not found', () => {
    expect(() => loadConfig({ path: join(dir, 'missing.yaml'), env: {} })).toThrow(
      /missing\.yaml[\s\S]*file not found/,
    );
  });
});
