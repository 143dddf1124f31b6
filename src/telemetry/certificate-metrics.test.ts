import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import { registerCertificateExpiry } from './certificate-metrics.js';
import { registry } from './metrics.js';

const EXPIRY = 'switchboard_tls_certificate_expiry_timestamp_seconds';
const ERRORS = 'switchboard_tls_certificate_read_errors_total';

/** A self-signed certificate valid for `days`, as openssl writes it. */
function selfSigned(dir: string, name: string, days: number): { cert: string; key: string } {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-subj',
      `/CN=${name}`,
      '-days',
      String(days),
      '-out',
      cert,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return { cert, key };
}

/** notAfter as openssl itself reports it, so the module's own parsing is not checked against itself. */
function opensslNotAfter(cert: string): number {
  const out = execFileSync('openssl', ['x509', '-noout', '-enddate', '-in', cert], {
    encoding: 'utf8',
  });
  const match = /^notAfter=(.+)$/m.exec(out);
  if (!match?.[1]) throw new Error(`unexpected openssl output: ${out}`);
  return Date.parse(match[1]) / 1000;
}

function configWith(tls?: { certFile: string; keyFile: string }) {
  return parseConfig({ profile: 'dev', ...(tls ? { sip: { tls } } : {}) });
}

/** Scrapes the registry like /metrics does and returns the samples of one metric. */
async function samples(name: string): Promise<{ labels: object; value: number }[]> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`${name} is not registered`);
  const { values } = await metric.get();
  return values.map((v) => ({ labels: v.labels, value: v.value }));
}

describe('TLS certificate expiry metric', () => {
  let dir: string;
  let live: string;
  let first: { cert: string; key: string };
  let renewed: { cert: string; key: string };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-cert-metrics-'));
    first = selfSigned(dir, 'first', 20);
    renewed = selfSigned(dir, 'renewed', 90);
    // Stands in for /etc/letsencrypt/live/<name>/fullchain.pem, which certbot replaces on renewal.
    live = join(dir, 'fullchain.pem');
  });
  afterAll(() => {
    registerCertificateExpiry(configWith());
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    copyFileSync(first.cert, live);
  });

  it('has no series when TLS is not configured', async () => {
    registerCertificateExpiry(configWith());
    expect(await samples(EXPIRY)).toEqual([]);
    expect(await samples(ERRORS)).toEqual([]);
    expect(await registry.metrics()).not.toMatch(new RegExp(`^${EXPIRY}\\{`, 'm'));
  });

  it("reports the certificate's notAfter under name=sip, in the /metrics text too", async () => {
    registerCertificateExpiry(configWith({ certFile: live, keyFile: first.key }));
    const notAfter = opensslNotAfter(first.cert);
    expect(await samples(EXPIRY)).toEqual([{ labels: { name: 'sip' }, value: notAfter }]);
    expect(await registry.metrics()).toContain(`${EXPIRY}{name="sip"} ${notAfter}`);
    expect(await samples(ERRORS)).toEqual([{ labels: { name: 'sip' }, value: 0 }]);
  });

  it('reads the file at every scrape, so a renewed certificate shows up without a restart', async () => {
    registerCertificateExpiry(configWith({ certFile: live, keyFile: first.key }));
    expect((await samples(EXPIRY))[0]?.value).toBe(opensslNotAfter(first.cert));
    copyFileSync(renewed.cert, live);
    const after = opensslNotAfter(renewed.cert);
    expect(after).toBeGreaterThan(opensslNotAfter(first.cert));
    expect((await samples(EXPIRY))[0]?.value).toBe(after);
  });

  it('uses the leaf, the first certificate of a full chain', async () => {
    const chain = join(dir, 'chain.pem');
    writeFileSync(chain, readFileSync(first.cert, 'utf8') + readFileSync(renewed.cert, 'utf8'));
    registerCertificateExpiry(configWith({ certFile: chain, keyFile: first.key }));
    expect((await samples(EXPIRY))[0]?.value).toBe(opensslNotAfter(first.cert));
  });

  it('drops the series and counts a read error while the file is missing or holds no certificate', async () => {
    registerCertificateExpiry(configWith({ certFile: live, keyFile: first.key }));
    expect(await samples(EXPIRY)).toHaveLength(1);
    rmSync(live);
    expect(await samples(EXPIRY)).toEqual([]);
    expect(await samples(ERRORS)).toEqual([{ labels: { name: 'sip' }, value: 1 }]);
    writeFileSync(live, 'not a certificate\n');
    expect(await samples(EXPIRY)).toEqual([]);
    expect(await samples(ERRORS)).toEqual([{ labels: { name: 'sip' }, value: 2 }]);
    copyFileSync(first.cert, live);
    expect(await samples(EXPIRY)).toEqual([
      { labels: { name: 'sip' }, value: opensslNotAfter(first.cert) },
    ]);
    expect(await samples(ERRORS)).toEqual([{ labels: { name: 'sip' }, value: 2 }]);
  });

  it('is idempotent, and a later config replaces what is watched', async () => {
    const config = configWith({ certFile: live, keyFile: first.key });
    registerCertificateExpiry(config);
    registerCertificateExpiry(config);
    expect(await samples(EXPIRY)).toHaveLength(1);
    registerCertificateExpiry(configWith());
    expect(await samples(EXPIRY)).toEqual([]);
  });
});
