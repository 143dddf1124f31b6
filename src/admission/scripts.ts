import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Cluster, Redis } from 'ioredis';

export type RedisClient = Redis | Cluster;

export interface LuaScript {
  /** File name without `.lua`, e.g. `acquireLease-1`. */
  name: string;
  numberOfKeys: number;
  source: string;
  sha: string;
}

const here = dirname(fileURLToPath(import.meta.url));
/** Next to this module when run from src; the compiled build does not copy .lua, so fall back to src. */
const LUA_DIRS = [join(here, 'lua'), join(here, '..', '..', 'src', 'admission', 'lua')];

function luaDir(): string {
  const dir = LUA_DIRS.find((d) => existsSync(join(d, 'releaseLease-1.lua')));
  if (dir === undefined)
    throw new Error(`admission Lua scripts not found in ${LUA_DIRS.join(' or ')}`);
  return dir;
}

/** Inlines `-- @include "name"` lines from lua/includes/, BullMQ style, each at most once. */
export function expandIncludes(source: string, readInclude: (name: string) => string): string {
  const seen = new Set<string>();
  return source.replace(/^-- @include "([A-Za-z0-9_-]+)"$/gm, (_line, name: string) => {
    if (seen.has(name)) return '';
    seen.add(name);
    return readInclude(name).trimEnd();
  });
}

/** Reads `lua/<name>.lua`; the key count comes from the file name (`<verbNoun>-<numKeys>`). */
export function loadScript(name: string): LuaScript {
  const match = /^[A-Za-z]+-(\d+)$/.exec(name);
  if (!match) throw new Error(`Lua script name must look like verbNoun-<numKeys>, got "${name}"`);
  const dir = luaDir();
  const raw = readFileSync(join(dir, `${name}.lua`), 'utf8');
  const source = expandIncludes(raw, (inc) =>
    readFileSync(join(dir, 'includes', `${inc}.lua`), 'utf8'),
  );
  const sha = createHash('sha1').update(source).digest('hex');
  return { name, numberOfKeys: Number(match[1]), source, sha };
}

/**
 * Runs a script by SHA and sends the source only when Redis does not know it yet (first use, or
 * after a Redis restart flushed the script cache).
 */
export async function runScript(
  redis: RedisClient,
  script: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  if (keys.length !== script.numberOfKeys) {
    throw new Error(`${script.name} takes ${script.numberOfKeys} keys, got ${keys.length}`);
  }
  try {
    return await redis.evalsha(script.sha, script.numberOfKeys, ...keys, ...args);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    return redis.eval(script.source, script.numberOfKeys, ...keys, ...args);
  }
}

export const scripts = {
  consumeRateLimit: loadScript('consumeRateLimit-1'),
  acquireLease: loadScript('acquireLease-1'),
  extendLease: loadScript('extendLease-1'),
  releaseLease: loadScript('releaseLease-1'),
};
