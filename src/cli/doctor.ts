import { runDoctor } from '../stack/doctor.js';
import { parseCommand } from './args.js';
import type { Command } from './command.js';

export const doctorCommand: Command = {
  summary:
    'check versions, ports, and that livekit and livekit-sip share one Redis; print a fix for each problem',
  async run(args) {
    const { config, binCache } = parseCommand(args, {}).load();
    const findings = await runDoctor(config, { binCache });
    for (const f of findings) {
      process.stdout.write(`${f.ok ? 'ok  ' : 'FAIL'}  ${f.check.padEnd(38)} ${f.detail}\n`);
      if (!f.ok && f.fix) process.stdout.write(`      fix: ${f.fix}\n`);
    }
    return findings.every((f) => f.ok) ? 0 : 1;
  },
};
