import { readFileSync, existsSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { ZodIssue } from 'zod';
import { interpolateEnv, type EnvProblem } from './env.js';
import { ConfigError, type ConfigProblem } from './errors.js';
import { configSchema, type SwitchboardConfig } from './schema.js';

/**
 * Environment variable through which `up` tells its child processes (worker, job processes) where
 * the resolved config is: the path of a file only the owner can read, never the config itself.
 */
export const RESOLVED_CONFIG_FILE_ENV = 'SWITCHBOARD_RESOLVED_CONFIG_FILE';

/**
 * What a process started by `up` may inherit from `up`'s environment: enough to run (find
 * binaries, locale, temp dir, Node flags), never a secret a config references.
 */
const CHILD_ENV = new Set(['PATH', 'HOME', 'LANG', 'TMPDIR', 'NODE_ENV', 'NODE_OPTIONS']);

/** The minimal environment for a child of `up`, plus `extra` (e.g. RESOLVED_CONFIG_FILE_ENV). */
export function childProcessEnv(
  extra: Record<string, string> = {},
  env: Record<string, string | undefined> = process.env,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && (CHILD_ENV.has(name) || name.startsWith('LC_'))) out[name] = value;
  }
  return { ...out, ...extra };
}

export interface LoadOptions {
  /** Explicit path (from `--config`). Falls back to SWITCHBOARD_CONFIG, then ./switchboard.yaml, then embedded defaults. */
  path?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

export interface LoadedConfig {
  config: SwitchboardConfig;
  /** Where it came from: a file path, or `embedded defaults`. */
  source: string;
  /**
   * SWITCHBOARD_BIN_CACHE: where scripts/install.sh cached the Go binaries. Undefined means its
   * default; pass it to the stack's binaryPath/requireBinary.
   */
  binCache?: string;
}

/** The only place that reads process.env for configuration. */
export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const binCache = env.SWITCHBOARD_BIN_CACHE || undefined;
  // `up` hands its already-resolved config to the processes it starts (worker, job processes).
  const handed = env[RESOLVED_CONFIG_FILE_ENV];
  if (opts.path === undefined && handed) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(handed, 'utf8'));
    } catch (cause) {
      throw new ConfigError(
        handed,
        [
          {
            path: '(file)',
            message: `cannot read the config switchboard up wrote: ${String(cause)}`,
          },
        ],
        { cause },
      );
    }
    return {
      config: parseConfig(raw, 'resolved config from switchboard up'),
      source: 'switchboard up',
      binCache,
    };
  }
  const explicit = opts.path ?? env.SWITCHBOARD_CONFIG;
  const fallback = `${opts.cwd ?? process.cwd()}/switchboard.yaml`;
  const path = explicit ?? (existsSync(fallback) ? fallback : undefined);
  if (path === undefined)
    return {
      config: parseConfig({}, 'embedded defaults', env),
      source: 'embedded defaults',
      binCache,
    };
  if (!existsSync(path)) {
    throw new ConfigError(path, [
      { path: '(file)', message: 'file not found; check --config or SWITCHBOARD_CONFIG' },
    ]);
  }
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8')) ?? {};
  } catch (err) {
    const message = err instanceof YAMLParseError ? err.message : String(err);
    throw new ConfigError(path, [{ path: '(yaml)', message }], { cause: err });
  }
  return { config: parseConfig(raw, path, env), source: path, binCache };
}

export function parseConfig(
  raw: unknown,
  source = 'config',
  env: Record<string, string | undefined> = {},
): SwitchboardConfig {
  const envProblems: EnvProblem[] = [];
  const interpolated = interpolateEnv(raw, env, envProblems);
  const result = configSchema.safeParse(interpolated);
  const problems: ConfigProblem[] = [...envProblems];
  if (!result.success) {
    // A missing variable already explains why that field is empty; do not report it twice.
    const unresolved = new Set(envProblems.map((p) => p.path));
    problems.push(
      ...result.error.issues.flatMap(describeIssue).filter((p) => !unresolved.has(p.path)),
    );
  }
  if (problems.length > 0) throw new ConfigError(source, problems);
  return result.data as SwitchboardConfig;
}

function describeIssue(issue: ZodIssue): ConfigProblem[] {
  const path = issue.path.join('.') || '(root)';
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      path: path === '(root)' ? key : `${path}.${key}`,
      message: 'unknown key; remove it or check its spelling',
    }));
  }
  if (issue.code === 'invalid_type') {
    return [{ path, message: `expected ${issue.expected}, got ${issue.received}` }];
  }
  return [{ path, message: issue.message }];
}
