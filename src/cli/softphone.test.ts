import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import { softphoneSettings } from './softphone.js';

const SECRET = 'Zq8vR3m9Kx41Tb7wYp2N';

describe('softphone settings printed by up', () => {
  it('shows the dev trunk and its example password', () => {
    const text = softphoneSettings(parseConfig({}), '/tmp/logs');
    expect(text).toContain('Password     switchboard-dev');
    expect(text).toContain('SIP server   127.0.0.1:5060 (UDP or TCP)');
  });

  it('under pilot prints the TLS address and never a trunk password', () => {
    const config = parseConfig({
      profile: 'pilot',
      sip: {
        host: '0.0.0.0',
        publicAddress: 'sip.hospital.example',
        publicIp: '203.0.113.10',
        tls: { certFile: '/etc/c.pem', keyFile: '/etc/k.pem' },
      },
      provisioning: {
        inboundTrunks: [
          {
            name: 'carrier',
            numbers: ['+3225550100'],
            allowedAddresses: ['203.0.113.0/24'],
            auth: { username: 'carrier', password: SECRET },
          },
        ],
        dispatchRules: [{ name: 'calls', type: 'individual', trunks: ['carrier'] }],
      },
      admission: { pseudonymKeys: [{ id: 'k1', secret: 'Hq2Lm8Xc4Vb6Nz1Pw7Rt' }] },
    });
    const text = softphoneSettings(config, '/tmp/logs');
    expect(text).not.toContain(SECRET);
    expect(text).toContain('sip:sip.hospital.example:5061;transport=tls (SRTP: require)');
  });
});
