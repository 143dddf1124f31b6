import { loadScript, luaDir } from '../common/index.js';

export { runScript, type RedisClient } from '../common/index.js';

const dir = luaDir(import.meta.url);

/**
 * One Lua script per atomic operation on transcript keys (lua/<verbNoun>-<numKeys>.lua). The
 * call scripts refuse to write to a call that no longer exists, so an erased or expired
 * transcript is never brought back by a late turn.
 */
export const scripts = {
  appendTurn: loadScript(dir, 'appendTurn-2'),
  finishCall: loadScript(dir, 'finishCall-2'),
  indexCall: loadScript(dir, 'indexCall-2'),
};
