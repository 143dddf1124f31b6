import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, type LoadedConfig } from '../config/index.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedCommand {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  /** Loads switchboard.yaml once, honouring the global `--config`. */
  load: () => LoadedConfig;
}

/** Parses a command's flags plus the global `--config`. Unknown flags throw with their name. */
export function parseCommand(args: string[], options: Options): ParsedCommand {
  const parsed = parseArgs({
    args,
    options: { ...options, config: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const configPath = typeof values.config === 'string' ? values.config : undefined;
  return { values, positionals: parsed.positionals, load: () => loadConfig({ path: configPath }) };
}
