import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import { desiredState } from '../../src/provisioning/index.js';

const dir = dirname(fileURLToPath(import.meta.url));
const examples = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

/** What an operator exports before starting a pilot; values are shaped like the real ones. */
const env = {
  LIVEKIT_API_KEY: 'APIexample0001',
  LIVEKIT_API_SECRET: 'x'.repeat(40),
  SWITCHBOARD_PSEUDONYM_SECRET: 'f'.repeat(64),
  TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 'a'.repeat(32),
  CLOUDONIX_WEBHOOK_SECRET: 'c'.repeat(48),
  CLOUDONIX_SIGNALLING_CIDR: '203.0.113.0/28',
  CLOUDONIX_SIP_PASSWORD: 'Zx9vQm2LpT7rWk4Yh8Nb',
  CLOUDONIX_OUTBOUND_PASSWORD: 'Hq3Tn8Vw1Rz6Kp9Xm2Lc',
  DEEPGRAM_API_KEY: 'd'.repeat(40),
  ELEVEN_API_KEY: 'e'.repeat(40),
  OPENAI_API_KEY: `sk-${'o'.repeat(40)}`,
  SWITCHBOARD_CONSOLE_OPERATOR_HASH:
    'scrypt$32768$8$1$Vkth8U5YFQXYvm3Dh1xFAQ==$D6c7DEE4ZE0UxFNis1EGygnJN2654YESECQJfOeKCN0=',
};

const load = (file: string, vars: Record<string, string> = env) =>
  parseConfig(parse(readFileSync(join(dir, file), 'utf8')), file, vars);

describe('example configs', () => {
  it('ships dev, twilio-pilot and cloudonix', () => {
    expect(examples).toEqual(['cloudonix.yaml', 'dev.yaml', 'twilio-pilot.yaml']);
  });

  it.each(examples)('%s is valid and provisions without warnings', (file) => {
    const config = load(file);
    const desired = desiredState(config);
    expect(desired.inboundTrunks.length).toBeGreaterThan(0);
    expect(desired.dispatchRules.length).toBeGreaterThan(0);
    expect(desired.warnings).toEqual([]);
  });

  it('dev.yaml is a credential trunk on 127.0.0.1', () => {
    const [trunk] = load('dev.yaml').provisioning.inboundTrunks;
    expect(trunk?.auth).toEqual({ username: 'softphone', password: 'switchboard-dev' });
    expect(trunk?.allowedAddresses).toContain('127.0.0.1');
  });

  it('twilio-pilot.yaml gates the trunk with all eight Twilio signalling ranges, under pilot', () => {
    const config = load('twilio-pilot.yaml');
    expect(config.profile).toBe('pilot');
    const [trunk] = config.provisioning.inboundTrunks;
    expect(trunk?.allowedAddresses).toHaveLength(8);
    expect(trunk?.allowedAddresses).toContain('54.171.127.192/30'); // Ireland, nearest to BE
    expect(trunk?.numbers).toEqual(['+3225550100']);
    expect(trunk?.auth).toBeUndefined();
  });

  it.each(['twilio-pilot.yaml', 'cloudonix.yaml'])(
    '%s serves SIP-TLS only on its public name, and every trunk requires SRTP',
    (file) => {
      const config = load(file);
      expect(config.sip).toMatchObject({
        publicAddress: 'sip.hospital.example',
        plain: false,
        tls: { port: 5061 },
      });
      expect(config.sip.tls?.certFile).toBe(
        '/etc/letsencrypt/live/sip.hospital.example/fullchain.pem',
      );
      for (const trunk of desiredState(config).inboundTrunks) {
        expect(trunk.spec.mediaEncryption).toBe('require');
      }
    },
  );

  it('pilot examples refuse to load without their secrets', () => {
    for (const file of ['twilio-pilot.yaml', 'cloudonix.yaml']) {
      expect(() => load(file, {})).toThrow(ConfigError);
    }
  });
});
