import type { Command } from './command.js';
import { commands } from './commands.js';
import { EXIT } from './exit-codes.js';

function usage(): string {
  const lines = Object.entries(commands).map(
    ([name, cmd]) => `  ${name.padEnd(20)} ${cmd.summary}`,
  );
  return `usage: switchboard <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nglobal options:\n  --config <path>      switchboard.yaml (default: $SWITCHBOARD_CONFIG, ./switchboard.yaml, embedded defaults)\n`;
}

/** Finds the longest command name matching the leading words: `provision plan` before `provision`. */
function resolve(argv: string[]): { command: Command; rest: string[] } | undefined {
  for (let n = Math.min(2, argv.length); n > 0; n--) {
    const command = commands[argv.slice(0, n).join(' ')];
    if (command) return { command, rest: argv.slice(n) };
  }
  return undefined;
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(usage());
    return argv.length === 0 ? EXIT.error : EXIT.ok;
  }
  const found = resolve(argv);
  if (!found) {
    process.stderr.write(`switchboard: unknown command "${argv.join(' ')}"\n\n${usage()}`);
    return EXIT.error;
  }
  try {
    return await found.command.run(found.rest);
  } catch (err) {
    // A ConfigError's message already lists every problem with its path.
    process.stderr.write(`switchboard: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.error;
  }
}
