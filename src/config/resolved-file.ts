import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SwitchboardConfig } from './schema.js';

/**
 * Writes the resolved config (secrets included) for the processes `up` starts, readable by the
 * owner only: `<privateDir>/resolved-config.json`, mode 0600, in a folder of mode 0700. Only the
 * path travels to the children (RESOLVED_CONFIG_FILE_ENV), never the content. Returns the path
 * and a function that removes the file again.
 */
export function writeResolvedConfig(
  privateDir: string,
  config: SwitchboardConfig,
): { path: string; remove: () => void } {
  mkdirSync(privateDir, { recursive: true, mode: 0o700 });
  chmodSync(privateDir, 0o700);
  const path = join(privateDir, 'resolved-config.json');
  // A file left by a crashed run may have another mode; `mode` only applies on creation.
  rmSync(path, { force: true });
  writeFileSync(path, JSON.stringify(config), { mode: 0o600, flag: 'wx' });
  return { path, remove: () => rmSync(path, { force: true }) };
}
