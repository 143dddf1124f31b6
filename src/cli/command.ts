/** One CLI command: cli/commands.ts maps the words that invoke it to this. */
export interface Command {
  summary: string;
  /** Returns the process exit code (see EXIT); only cli/ decides exit codes. */
  run(args: string[]): Promise<number>;
}
