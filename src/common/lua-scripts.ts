import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Cluster, Redis } from 'ioredis';

/** The client every Redis module takes: one server, or a Cluster. */
export type RedisClient = Redis | Cluster;

/**
 * One Lua file per atomic operation, BullMQ style: `lua/<verbNoun>-<numKeys>.lua`, a KEYS/ARGV
 * header comment, shared helpers inlined from `lua/includes/` with `-- @include "name"`.
 */
export interface LuaScript {
  /** File name without `.lua`, e.g. `acquireLease-1`; also the ioredis command name. */
  name: string;
  numberOfKeys: number;
  /** With includes expanded. */
  source: string;
}

/**
 * The `lua/` folder next to the calling module. A compiled build that did not copy it (plain
 * `tsc`, without scripts/install.sh) falls back to the same folder under src/.
 */
export function luaDir(moduleUrl: string): string {
  const here = dirname(fileURLToPath(moduleUrl));
  const candidates = [join(here, 'lua'), join(here, '..', '..', 'src', basename(here), 'lua')];
  const dir = candidates.find((d) => existsSync(d));
  if (dir === undefined) throw new Error(`Lua scripts not found in ${candidates.join(' or ')}`);
  return dir;
}

/** Inlines `-- @include "name"` lines, each at most once. */
export function expandIncludes(source: string, readInclude: (name: string) => string): string {
  const seen = new Set<string>();
  return source.replace(/^-- @include "([A-Za-z0-9_-]+)"$/gm, (_line, name: string) => {
    if (seen.has(name)) return '';
    seen.add(name);
    return readInclude(name).trimEnd();
  });
}

/** Reads `<dir>/<name>.lua`; the key count comes from the file name (`<verbNoun>-<numKeys>`). */
export function loadScript(dir: string, name: string): LuaScript {
  const match = /^[A-Za-z]+-(\d+)$/.exec(name);
  if (!match) throw new Error(`Lua script name must look like verbNoun-<numKeys>, got "${name}"`);
  const raw = readFileSync(join(dir, `${name}.lua`), 'utf8');
  const source = expandIncludes(raw, (inc) =>
    readFileSync(join(dir, 'includes', `${inc}.lua`), 'utf8'),
  );
  return { name, numberOfKeys: Number(match[1]), source };
}

type ScriptCommand = (...keysAndArgs: (string | number)[]) => Promise<unknown>;

/** Scripts already defined on each client, by name, with the source they were defined with. */
const defined = new WeakMap<RedisClient, Map<string, string>>();

/**
 * Runs a script as an ioredis custom command (`defineCommand`, once per client): ioredis sends
 * EVALSHA and falls back to EVAL when Redis does not know the script yet (first use, or after a
 * restart flushed the script cache), and applies the client's keyPrefix to KEYS.
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
  let scripts = defined.get(redis);
  if (scripts === undefined) {
    scripts = new Map();
    defined.set(redis, scripts);
  }
  const known = scripts.get(script.name);
  if (known === undefined) {
    redis.defineCommand(script.name, { numberOfKeys: script.numberOfKeys, lua: script.source });
    scripts.set(script.name, script.source);
  } else if (known !== script.source) {
    throw new Error(`two different Lua scripts are named ${script.name}`);
  }
  const command = (redis as unknown as Record<string, ScriptCommand>)[script.name]!;
  return command.call(redis, ...keys, ...args);
}
