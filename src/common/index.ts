/**
 * Definitions every folder shares: the languages the line speaks, the E.164 number format, and
 * the one way to run a Lua script on Redis, which URLs are local, and waiting with a time limit. A leaf: it imports nothing from the project, so any
 * folder can import it without a cycle.
 */
export { LANGUAGES, languageSchema, type Language, type PerLanguage } from './language.js';
export { E164, E164_HINT, E164_PATTERN, e164Schema, isE164 } from './e164.js';
export {
  expandIncludes,
  loadScript,
  luaDir,
  runScript,
  type LuaScript,
  type RedisClient,
} from './lua-scripts.js';
export { isLoopbackUrl } from './loopback-url.js';
export { withTimeout } from './timeout.js';
