import { loadScript as loadFrom, luaDir, type LuaScript } from '../common/index.js';

export { expandIncludes, runScript, type LuaScript, type RedisClient } from '../common/index.js';

const dir = luaDir(import.meta.url);

/** Reads `lua/<name>.lua` of this folder. */
export function loadScript(name: string): LuaScript {
  return loadFrom(dir, name);
}

export const scripts = {
  consumeRateLimit: loadScript('consumeRateLimit-1'),
  acquireLease: loadScript('acquireLease-1'),
  extendLease: loadScript('extendLease-1'),
  releaseLease: loadScript('releaseLease-1'),
};
