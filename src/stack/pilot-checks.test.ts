import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../test/harness/free-port.js';
import { parseConfig } from '../config/index.js';
import type { Finding } from './doctor.js';
import { runPilotChecks, type PilotCheckOptions } from './pilot-checks.js';

const NAME = 'sip.pilot.test';

/**
 * A private CA (root → intermediate → leaf, like Let's Encrypt) made with openssl. Leaves are
 * signed with `openssl ca`, the one OpenSSL 3.0 command that writes dates in the past.
 */
class TestCa {
  constructor(readonly dir: string) {
    mkdirSync(join(dir, 'issued'));
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'serial'), '1000\n');
    writeFileSync(
      join(dir, 'ca.cnf'),
      [
        '[ca]',
        'default_ca = ca_default',
        '[ca_default]',
        `database = ${join(dir, 'index.txt')}`,
        `new_certs_dir = ${join(dir, 'issued')}`,
        `serial = ${join(dir, 'serial')}`,
        'default_md = sha256',
        'policy = policy_any',
        'copy_extensions = copy',
        'unique_subject = no',
        '[policy_any]',
        'commonName = supplied',
        '[leaf]',
        'basicConstraints = critical, CA:FALSE',
        'keyUsage = critical, digitalSignature',
        'extendedKeyUsage = serverAuth',
        '',
      ].join('\n'),
    );
    const ca = [
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ];
    this.openssl(
      'req',
      '-x509',
      ...this.newKey('root'),
      '-subj',
      '/CN=Pilot Test Root',
      '-days',
      '30',
      ...ca,
      '-out',
      this.path('root.pem'),
    );
    this.openssl(
      'req',
      ...this.newKey('inter'),
      '-subj',
      '/CN=Pilot Test Intermediate',
      ...ca,
      '-out',
      this.path('inter.csr'),
    );
    this.openssl(
      'x509',
      '-req',
      '-in',
      this.path('inter.csr'),
      '-CA',
      this.path('root.pem'),
      '-CAkey',
      this.path('root.key'),
      '-days',
      '30',
      '-copy_extensions',
      'copy',
      '-out',
      this.path('inter.pem'),
    );
  }

  path(file: string): string {
    return join(this.dir, file);
  }

  private newKey(name: string): string[] {
    return [
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      this.path(`${name}.key`),
    ];
  }

  private openssl(...args: string[]): void {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  }

  /** Writes `<name>.key`, `<name>.pem` (leaf alone) and `<name>-fullchain.pem` (leaf + intermediate). */
  leaf(
    name: string,
    opts: { san: string; dates?: [start: string, end: string] },
  ): { fullchain: string; cert: string; key: string } {
    this.openssl(
      'req',
      ...this.newKey(name),
      '-subj',
      `/CN=${name}`,
      '-addext',
      `subjectAltName=${opts.san}`,
      '-out',
      this.path(`${name}.csr`),
    );
    const validity = opts.dates
      ? ['-startdate', opts.dates[0], '-enddate', opts.dates[1]]
      : ['-days', '90'];
    this.openssl(
      'ca',
      '-batch',
      '-notext',
      '-config',
      this.path('ca.cnf'),
      '-extensions',
      'leaf',
      '-cert',
      this.path('inter.pem'),
      '-keyfile',
      this.path('inter.key'),
      ...validity,
      '-in',
      this.path(`${name}.csr`),
      '-out',
      this.path(`${name}.pem`),
    );
    const fullchain = this.path(`${name}-fullchain.pem`);
    writeFileSync(
      fullchain,
      readFileSync(this.path(`${name}.pem`), 'utf8') + readFileSync(this.path('inter.pem'), 'utf8'),
    );
    return { fullchain, cert: this.path(`${name}.pem`), key: this.path(`${name}.key`) };
  }
}

function pilotConfig(sip: {
  certFile: string;
  keyFile: string;
  port: number;
  publicIp?: string;
  host?: string;
}) {
  return parseConfig({
    profile: 'pilot',
    sip: {
      host: sip.host ?? '127.0.0.1',
      publicAddress: NAME,
      publicIp: sip.publicIp ?? '127.0.0.1',
      tls: { port: sip.port, certFile: sip.certFile, keyFile: sip.keyFile },
    },
    admission: { pseudonymKeys: [{ id: 'k1', secret: 'f'.repeat(64) }] },
    provisioning: {
      inboundTrunks: [{ name: 'carrier', allowedAddresses: ['192.0.2.0/24'] }],
      dispatchRules: [{ name: 'calls', trunks: ['carrier'] }],
    },
  });
}

describe('pilot checks', () => {
  let dir: string;
  let ca: TestCa;
  let good: ReturnType<TestCa['leaf']>;
  let gateway: Server;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-pilot-'));
    ca = new TestCa(dir);
    good = ca.leaf('good', { san: `DNS:${NAME}` });
    // Stands in for livekit-sip behind the public TLS port.
    gateway = createServer(
      { cert: readFileSync(good.fullchain), key: readFileSync(good.key) },
      (s) => s.end(),
    );
    port = await freePort();
    await new Promise<void>((r) => gateway.listen(port, '127.0.0.1', () => r()));
  });
  afterAll(async () => {
    await new Promise<void>((r) => (gateway ? gateway.close(() => r()) : r()));
    rmSync(dir, { recursive: true, force: true });
  });

  const options = (extra: Partial<PilotCheckOptions> = {}): PilotCheckOptions => ({
    extraCaFile: ca.path('root.pem'),
    resolve: async (name) => (name === NAME ? ['127.0.0.1'] : []),
    localAddresses: () => ['127.0.0.1', '::1'],
    ...extra,
  });

  const run = async (
    files: { certFile: string; keyFile: string },
    opts: { publicIp?: string; port?: number } & Partial<PilotCheckOptions> = {},
  ): Promise<Map<string, Finding>> => {
    const config = pilotConfig({ ...files, port: opts.port ?? port, publicIp: opts.publicIp });
    const findings = await runPilotChecks(config, options(opts));
    return new Map(findings.map((f) => [f.check, f]));
  };
  const goodFiles = () => ({ certFile: good.fullchain, keyFile: good.key });

  it('passes every check for a good certificate served on the public address', async () => {
    const findings = await run(goodFiles());
    expect([...findings.values()].filter((f) => !f.ok)).toEqual([]);
    expect([...findings.keys()]).toEqual([
      'sip-tls certificate and key files',
      'sip-tls certificate chain',
      'sip-tls certificate expiry',
      'sip-tls certificate name',
      'sip-tls key matches certificate',
      'sip public address on this host',
      'sip-tls answers on the public address',
      'dns for sip.publicAddress',
      'plain sip off',
      'srtp required on inbound trunks',
    ]);
    expect(findings.get('sip-tls certificate expiry')?.detail).toMatch(
      /^valid until \d{4}-\d\d-\d\d \((89|90) days left\)$/,
    );
    expect(findings.get('sip-tls answers on the public address')?.detail).toMatch(
      /serves the certFile certificate/,
    );
  });

  it('fails for missing files, naming the Let’s Encrypt layout and certbot', async () => {
    const finding = (await run({ certFile: join(dir, 'nope.pem'), keyFile: good.key })).get(
      'sip-tls certificate and key files',
    );
    expect(finding?.ok).toBe(false);
    expect(finding?.fix).toContain(`certbot certonly --standalone -d ${NAME}`);
    expect(finding?.fix).toContain(`/etc/letsencrypt/live/${NAME}/fullchain.pem`);
    expect(finding?.fix).toContain(`/etc/letsencrypt/live/${NAME}/privkey.pem`);
  });

  it('fails the chain for cert.pem (the leaf alone)', async () => {
    const finding = (await run({ certFile: good.cert, keyFile: good.key })).get(
      'sip-tls certificate chain',
    );
    expect(finding).toMatchObject({
      ok: false,
      fix: expect.stringMatching(/^use fullchain\.pem, not cert\.pem/),
    });
    expect(finding?.detail).toMatch(
      /not a CA this system trusts \(the file holds the leaf certificate alone\)/,
    );
  });

  it('fails the chain when a certificate is not signed by the next', async () => {
    const reversed = join(dir, 'reversed.pem');
    writeFileSync(
      reversed,
      readFileSync(ca.path('inter.pem'), 'utf8') + readFileSync(good.cert, 'utf8'),
    );
    const finding = (await run({ certFile: reversed, keyFile: good.key })).get(
      'sip-tls certificate chain',
    );
    expect(finding?.ok).toBe(false);
    expect(finding?.detail).toBe(
      'certificate 1 (Pilot Test Intermediate) is not signed by certificate 2 (good)',
    );
  });

  it('fails the chain when the issuing CA is not trusted', async () => {
    const finding = (await run(goodFiles(), { extraCaFile: undefined })).get(
      'sip-tls certificate chain',
    );
    expect(finding?.ok).toBe(false);
    expect(finding?.detail).toMatch(
      /issued by Pilot Test Root, which is not a CA this system trusts/,
    );
  });

  it('fails an expired certificate with its date and certbot renew', async () => {
    const expired = ca.leaf('expired', {
      san: `DNS:${NAME}`,
      dates: ['20240101000000Z', '20240401000000Z'],
    });
    const finding = (await run({ certFile: expired.fullchain, keyFile: expired.key })).get(
      'sip-tls certificate expiry',
    );
    expect(finding?.ok).toBe(false);
    expect(finding?.detail).toMatch(/^expired on 2024-04-01 \(\d+ days ago\)$/);
    expect(finding?.fix).toMatch(
      /^certbot renew \(the gateway picks up the renewed files by itself within a minute\)$/,
    );
  });

  it('fails a certificate expiring within 14 days', async () => {
    const now = new Date(Date.now() + 80 * 86_400_000);
    const finding = (await run(goodFiles(), { now })).get('sip-tls certificate expiry');
    expect(finding).toMatchObject({ ok: false, fix: expect.stringMatching(/^certbot renew/) });
    expect(finding?.detail).toMatch(/days left, under 14\)$/);
  });

  it('fails a certificate for another name', async () => {
    const other = ca.leaf('other', { san: 'DNS:other.pilot.test' });
    const finding = (await run({ certFile: other.fullchain, keyFile: other.key })).get(
      'sip-tls certificate name',
    );
    expect(finding?.ok).toBe(false);
    expect(finding?.detail).toBe(
      `does not cover ${NAME} (sip.publicAddress); it names DNS:other.pilot.test`,
    );
    expect(finding?.fix).toContain(`certbot certonly --standalone -d ${NAME}`);
  });

  it('fails a key that does not match the certificate', async () => {
    const finding = (await run({ certFile: good.fullchain, keyFile: ca.path('inter.key') })).get(
      'sip-tls key matches certificate',
    );
    expect(finding).toMatchObject({
      ok: false,
      fix: expect.stringContaining('privkey.pem beside its fullchain.pem'),
    });
  });

  it('fails a public address that is not on this host, naming sip.publicIp and the NAT setup', async () => {
    const findings = await run(goodFiles(), { publicIp: '192.0.2.10' });
    const finding = findings.get('sip public address on this host');
    expect(finding?.ok).toBe(false);
    expect(finding?.detail).toMatch(
      /^192\.0\.2\.10 \(sip\.publicIp\) is not an address of this host/,
    );
    expect(finding?.fix).toMatch(
      /set sip\.publicIp to an address of this host.*NAT 1:1.*sip\.host: 0\.0\.0\.0/,
    );
    expect(findings.has('sip-tls answers on the public address')).toBe(false);
  });

  it('fails with the start fix when nothing answers on the TLS port', async () => {
    const finding = (await run(goodFiles(), { port: await freePort() })).get(
      'sip-tls answers on the public address',
    );
    expect(finding).toMatchObject({
      ok: false,
      fix: 'start the gateway: switchboard run sip (or switchboard up)',
    });
    expect(finding?.detail).toMatch(/^nothing answers on 127\.0\.0\.1:\d+ \(ECONNREFUSED\)$/);
  });

  it('fails when the gateway serves another certificate than certFile', async () => {
    const renewed = ca.leaf('renewed', { san: `DNS:${NAME}` });
    const finding = (await run({ certFile: renewed.fullchain, keyFile: renewed.key })).get(
      'sip-tls answers on the public address',
    );
    expect(finding?.ok).toBe(false);
    expect(finding?.detail).toMatch(/serves serial \w+, certFile has \w+/);
  });

  it('fails a name that does not resolve, with the A record to create', async () => {
    const resolve = async () => {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${NAME}`), { code: 'ENOTFOUND' });
    };
    const finding = (await run(goodFiles(), { resolve })).get('dns for sip.publicAddress');
    expect(finding).toMatchObject({
      ok: false,
      detail: `${NAME} does not resolve (ENOTFOUND)`,
      fix: `create an A record ${NAME} → 127.0.0.1`,
    });
  });

  it('fails a name that resolves elsewhere', async () => {
    const finding = (await run(goodFiles(), { resolve: async () => ['198.51.100.7'] })).get(
      'dns for sip.publicAddress',
    );
    expect(finding).toMatchObject({
      ok: false,
      fix: `point the A record ${NAME} → 127.0.0.1, or correct sip.publicIp`,
    });
  });

  it('fails plain SIP and a trunk without required SRTP', async () => {
    const base = pilotConfig({ ...goodFiles(), port });
    const config = {
      ...base,
      sip: { ...base.sip, plain: true },
      provisioning: {
        ...base.provisioning,
        inboundTrunks: base.provisioning.inboundTrunks.map((t) => ({
          ...t,
          mediaEncryption: 'allow' as const,
        })),
      },
    };
    const findings = new Map((await runPilotChecks(config, options())).map((f) => [f.check, f]));
    expect(findings.get('plain sip off')).toMatchObject({ ok: false, fix: 'sip.plain: false' });
    expect(findings.get('srtp required on inbound trunks')).toMatchObject({
      ok: false,
      detail: 'media may be plain RTP on "carrier" (allow)',
      fix: 'provisioning.inboundTrunks[0].mediaEncryption: require',
    });
  });
});
