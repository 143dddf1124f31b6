import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file lives in src/stack or dist/stack). */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The pinned versions from versions.env, the single place they are written. */
export function pinnedVersions(root = PROJECT_ROOT): Record<string, string> {
  const text = readFileSync(join(root, 'versions.env'), 'utf8');
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(?:"([^"]*)"|(.*))$/.exec(line.trim());
    if (m) out[m[1]!] = m[2] ?? m[3] ?? '';
  }
  return out;
}

export type GoBinary = 'livekit-server' | 'livekit-sip';

/** Where scripts/install.sh caches a pinned Go binary: `<cache>/<name>-<version>/<name>`. */
export function binaryPath(
  name: GoBinary,
  env: Record<string, string | undefined> = process.env,
): string {
  const versions = pinnedVersions();
  const version =
    name === 'livekit-server' ? versions.LIVEKIT_SERVER_VERSION : versions.LIVEKIT_SIP_VERSION;
  const cache = env.SWITCHBOARD_BIN_CACHE ?? join(homedir(), '.cache', 'switchboard', 'bin');
  return join(cache, `${name}-${version}`, name);
}

export function requireBinary(name: GoBinary): string {
  const path = binaryPath(name);
  if (!existsSync(path)) {
    throw new Error(`${name} is not installed at ${path}; run: bash scripts/install.sh`);
  }
  return path;
}
