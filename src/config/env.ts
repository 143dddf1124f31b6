/** Replaces `${NAME}` references in every string of a parsed YAML tree with values from `env`. */
export interface EnvProblem {
  path: string;
  message: string;
}

const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function interpolateEnv(
  value: unknown,
  env: Record<string, string | undefined>,
  problems: EnvProblem[],
  path: string[] = [],
): unknown {
  if (typeof value === 'string') {
    return value.replace(REF, (_match, name: string) => {
      const resolved = env[name];
      if (resolved === undefined) {
        problems.push({
          path: path.join('.') || '(root)',
          message: `environment variable ${name} is not set; export ${name}=… or replace the reference`,
        });
        return '';
      }
      return resolved;
    });
  }
  if (Array.isArray(value)) {
    return value.map((item, i) => interpolateEnv(item, env, problems, [...path, String(i)]));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolateEnv(v, env, problems, [...path, k])]),
    );
  }
  return value;
}
