import { loadScript, luaDir } from '../common/index.js';

export { runScript, type RedisClient } from '../common/index.js';

const dir = luaDir(import.meta.url);

/** One Lua script per atomic operation on a message (lua/<verbNoun>-<numKeys>.lua). */
export const scripts = {
  recordCallback: loadScript(dir, 'recordCallback-1'),
  recordDelivery: loadScript(dir, 'recordDelivery-1'),
};
