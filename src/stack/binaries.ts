import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file lives in src/stack or dist/stack). */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where scripts/install.sh caches the Go binaries when SWITCHBOARD_BIN_CACHE is unset or empty. */
export const DEFAULT_BIN_CACHE = join(homedir(), '.cache', 'switchboard', 'bin');

/** Every pin in versions.env, the single place versions are written. Quotes are stripped. */
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

/** The pinned version of a component, by its name: `livekit-sip` reads `LIVEKIT_SIP_VERSION`. */
export function pinnedVersion(name: string, root = PROJECT_ROOT): string {
  const key = `${name.toUpperCase().replace(/-/g, '_')}_VERSION`;
  const version = pinnedVersions(root)[key];
  if (!version) throw new Error(`versions.env has no ${key}; add it or check the component name`);
  return version;
}

/** The folder of a build without patches: every component's before deploy/patches existed. */
const stockFolder = (name: GoBinary, root = PROJECT_ROOT) => `${name}-${pinnedVersion(name, root)}`;

/**
 * A component's local patches, deploy/patches/<name>/*.patch, in the order install.sh applies
 * them (byte order of the names, as its `LC_ALL=C sort`).
 */
export function patchFiles(name: GoBinary, root = PROJECT_ROOT): string[] {
  const dir = join(root, 'deploy', 'patches', name);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.patch'))
    .map((entry) => join(dir, entry.name))
    .sort();
}

/**
 * The cache folder install.sh builds a component into (its `cache_dir`): `<name>-<version>`, plus
 * `-p<first 8 hex of the sha256 of its patches, concatenated>` when it has any, so a patch change
 * builds anew. binaries.test.ts runs install.sh's function to prove the two agree.
 */
export function binaryFolder(name: GoBinary, root = PROJECT_ROOT): string {
  const stock = stockFolder(name, root);
  const patches = patchFiles(name, root);
  if (patches.length === 0) return stock;
  const hash = createHash('sha256');
  for (const file of patches) hash.update(readFileSync(file));
  return `${stock}-p${hash.digest('hex').slice(0, 8)}`;
}

/**
 * Where scripts/install.sh caches a pinned Go binary: `<binCache>/<binaryFolder>/<name>`.
 * `binCache` is what SWITCHBOARD_BIN_CACHE says (read by config/load.ts); empty or absent means
 * the default, as in install.sh's `${SWITCHBOARD_BIN_CACHE:-…}`.
 */
export function binaryPath(name: GoBinary, binCache?: string): string {
  return join(binCache || DEFAULT_BIN_CACHE, binaryFolder(name), name);
}

/** Where a build of the pinned version without its patches sits (install.sh's, before them). */
export function unpatchedBinaryPath(name: GoBinary, binCache?: string): string {
  return join(binCache || DEFAULT_BIN_CACHE, stockFolder(name), name);
}

/**
 * The pinned binary from install.sh's cache, else one on PATH (the official images put
 * livekit-sip in /bin). Throws with the fix when neither is there.
 */
export function requireBinary(name: GoBinary, binCache?: string): string {
  const path = binaryPath(name, binCache);
  if (existsSync(path)) return path;
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, name))
    .find((candidate) => existsSync(candidate));
  if (onPath) return onPath;
  throw new Error(`${name} is not installed at ${path} nor on PATH; run: bash scripts/install.sh`);
}
