import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  binaryFolder,
  binaryPath,
  pinnedVersion,
  PROJECT_ROOT,
  type GoBinary,
} from './binaries.js';

/** install.sh's own `patch_files` and `cache_dir`, cut out of it and run in `cwd`. */
function shellCacheDir(name: GoBinary, version: string, cwd: string): string {
  const install = join(PROJECT_ROOT, 'scripts', 'install.sh');
  const functions = execFileSync(
    'sed',
    ['-n', '/^patch_files() {/,/^}/p;/^cache_dir() {/,/^}/p', install],
    { encoding: 'utf8' },
  );
  expect(functions).toMatch(/^patch_files\(\) \{[\s\S]*^cache_dir\(\) \{/m);
  return execFileSync(
    'bash',
    ['-euo', 'pipefail', '-c', `${functions}\ncache_dir "$1" "$2"`, 'sh', name, version],
    { cwd, encoding: 'utf8', env: { ...process.env, BIN_CACHE: '/cache' } },
  ).trim();
}

describe('the cache folder of a Go binary, as install.sh names it', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'sb-binaries-'));
    writeFileSync(
      join(root, 'versions.env'),
      'LIVEKIT_SERVER_VERSION=v9.9.9\nLIVEKIT_SIP_VERSION=v1.2.3\n',
    );
    const patches = join(root, 'deploy', 'patches', 'livekit-server');
    mkdirSync(join(patches, 'nested.patch'), { recursive: true });
    // Names whose byte order (B before a) is not a locale's (a before B), and files to skip.
    writeFileSync(join(patches, 'a.patch'), 'second\n');
    writeFileSync(join(patches, 'B.patch'), 'first\n');
    writeFileSync(join(patches, 'README'), 'not a patch\n');
    writeFileSync(join(patches, 'nested.patch', 'x.patch'), 'not applied\n');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('agrees with install.sh on this repository', () => {
    for (const name of ['livekit-server', 'livekit-sip'] as const) {
      expect(dirname(binaryPath(name, '/cache'))).toBe(
        shellCacheDir(name, pinnedVersion(name), PROJECT_ROOT),
      );
    }
  });

  it('agrees with install.sh on several patches, in byte order, and on none', () => {
    const hash = createHash('sha256').update('first\nsecond\n').digest('hex').slice(0, 8);
    expect(binaryFolder('livekit-server', root)).toBe(`livekit-server-v9.9.9-p${hash}`);
    expect(shellCacheDir('livekit-server', 'v9.9.9', root)).toBe(
      `/cache/${binaryFolder('livekit-server', root)}`,
    );
    expect(binaryFolder('livekit-sip', root)).toBe('livekit-sip-v1.2.3');
    expect(shellCacheDir('livekit-sip', 'v1.2.3', root)).toBe('/cache/livekit-sip-v1.2.3');
  });

  it('names the patched livekit-server apart from the stock build', () => {
    expect(binaryFolder('livekit-server')).toMatch(/^livekit-server-v[\d.]+-p[0-9a-f]{8}$/);
    expect(binaryFolder('livekit-sip')).toMatch(/^livekit-sip-v[\d.]+$/);
  });
});
