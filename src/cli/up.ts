import type { Command } from './commands.js';

export const upCommand: Command = {
  summary: '(in progress)',
  async run() {
    return 1;
  },
};
