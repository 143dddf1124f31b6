import type { Command } from './commands.js';

export const doctorCommand: Command = {
  summary: '(in progress)',
  async run() {
    return 1;
  },
};
