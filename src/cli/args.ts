import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, type LoadedConfig } from '../config/index.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses a command's flags plus the global `--config`, and loads the config once. */
export function parseCommand<O extends Options>(
  args: string[],
  options: O,
): {
  values: ReturnType<
    typeof parseArgs<{
      options: O & { config: { type: 'string' } };
      args: string[];
      allowPositionals: true;
    }>
  >['values'];
  positionals: string[];
  load: () => LoadedConfig;
} {
  const parsed = parseArgs({
    args,
    options: { ...options, config: { type: 'string' as const } },
    allowPositionals: true,
    strict: true,
  });
  const configPath = parsed.values.config as string | undefined;
  return {
    values: parsed.values as never,
    positionals: parsed.positionals,
    load: () => loadConfig({ path: configPath }),
  };
}
