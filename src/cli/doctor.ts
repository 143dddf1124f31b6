import { runDoctor } from '../stack/doctor.js';
import { firewallRules } from '../stack/firewall.js';
import { parseCommand } from './args.js';
import { EXIT } from './exit-codes.js';
import type { Command } from './command.js';

const PROFILES = ['dev', 'pilot'] as const;
type Profile = (typeof PROFILES)[number];

export const doctorCommand: Command = {
  summary:
    'check versions, ports and one Redis, with a fix per problem; under profile pilot (or ' +
    '--profile pilot [--ca-file <pem>]) also the TLS certificate, public address, DNS, plain SIP ' +
    'and SRTP. --firewall prints the nftables ruleset for this config instead',
  async run(args) {
    const { values, load } = parseCommand(args, {
      profile: { type: 'string' },
      'ca-file': { type: 'string' },
      firewall: { type: 'boolean' },
    });
    const profile = values.profile;
    if (profile !== undefined && !PROFILES.includes(profile as Profile)) {
      throw new Error(`--profile must be dev or pilot, got "${String(profile)}"`);
    }
    const { config, binCache } = load();
    if (values.firewall) {
      process.stdout.write(firewallRules(config));
      return EXIT.ok;
    }
    const extraCaFile = typeof values['ca-file'] === 'string' ? values['ca-file'] : undefined;
    const findings = await runDoctor(config, {
      binCache,
      profile: profile as Profile | undefined,
      pilot: { extraCaFile },
    });
    for (const f of findings) {
      process.stdout.write(`${f.ok ? 'ok  ' : 'FAIL'}  ${f.check.padEnd(38)} ${f.detail}\n`);
      if (!f.ok && f.fix) process.stdout.write(`      fix: ${f.fix}\n`);
    }
    return findings.every((f) => f.ok) ? EXIT.ok : EXIT.error;
  },
};
