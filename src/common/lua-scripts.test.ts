import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScript } from './lua-scripts.js';

const src = fileURLToPath(new URL('..', import.meta.url));
const luaFolders = readdirSync(src, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => join(src, d.name, 'lua'))
  .filter((dir) => {
    try {
      return readdirSync(dir).length > 0;
    } catch {
      return false;
    }
  });

describe('every Lua script in src/*/lua', () => {
  it('finds the admission and privacy scripts', () => {
    expect(luaFolders.map((d) => d.slice(src.length))).toEqual(
      expect.arrayContaining(['admission/lua', 'privacy/lua']),
    );
  });

  it.each(luaFolders)('%s: named verbNoun-<numKeys>, header lists every KEYS and ARGV', (dir) => {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.lua'))) {
      const script = loadScript(dir, file.replace(/\.lua$/, ''));
      const header = /^--\[\[([\s\S]*?)\]\]/.exec(readFileSync(join(dir, file), 'utf8'))?.[1];
      expect(header, file).toBeDefined();
      for (const [, kind, n] of script.source.matchAll(/\b(KEYS|ARGV)\[(\d+)\]/g)) {
        expect(header, `${file} header lists ${kind}[${n}]`).toContain(`${kind}[${n}]`);
      }
      const usedKeys = new Set([...script.source.matchAll(/KEYS\[(\d+)\]/g)].map((m) => m[1]));
      expect(usedKeys.size, file).toBe(script.numberOfKeys);
    }
  });
});
