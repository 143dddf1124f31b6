import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { connect, rootCertificates } from 'node:tls';
import type { SwitchboardConfig } from '../config/index.js';
import type { Finding } from './doctor.js';

export interface PilotCheckOptions {
  /** A PEM file of CAs trusted besides Node's bundled roots: a private CA, or a test's own. */
  extraCaFile?: string;
  /** The addresses a name resolves to; default dns.lookup (which also reads /etc/hosts). */
  resolve?: (name: string) => Promise<string[]>;
  /** This host's addresses; default os.networkInterfaces(). */
  localAddresses?: () => string[];
  now?: Date;
  handshakeTimeoutMs?: number;
}

type Sip = SwitchboardConfig['sip'];

const DAY_MS = 86_400_000;
/** certbot renews at 30 days left; under 14, its timer has been failing for two weeks. */
const MIN_DAYS_LEFT = 14;
const START_GATEWAY = 'start the gateway: switchboard run sip (or switchboard up)';

const letsEncrypt = (name: string) =>
  `certbot certonly --standalone -d ${name}, then sip.tls.certFile: /etc/letsencrypt/live/${name}/fullchain.pem ` +
  `and sip.tls.keyFile: /etc/letsencrypt/live/${name}/privkey.pem`;

const ok = (check: string, detail: string): Finding => ({ ok: true, check, detail });
const fail = (check: string, detail: string, fix: string): Finding => ({
  ok: false,
  check,
  detail,
  fix,
});

/** The checks `switchboard doctor` adds under profile pilot, in order. */
export async function runPilotChecks(
  config: SwitchboardConfig,
  opts: PilotCheckOptions = {},
): Promise<Finding[]> {
  const { sip } = config;
  const tls = loadTls(sip);
  const findings = [tls.finding];
  const leaf = tls.chain?.[0];
  if (tls.chain && leaf && tls.key) {
    findings.push(
      checkChain(tls.chain, sip.publicAddress, opts.extraCaFile),
      checkExpiry(leaf, opts.now ?? new Date()),
      checkName(leaf, sip.publicAddress),
      checkKey(leaf, tls.key),
    );
  }
  const bound = checkBound(sip, (opts.localAddresses ?? hostAddresses)());
  findings.push(bound.finding);
  if (bound.dial !== undefined && sip.tls) {
    const target = { host: bound.dial, port: sip.tls.port };
    findings.push(await checkServed(sip, target, leaf, opts.handshakeTimeoutMs ?? 3000));
  }
  findings.push(await checkDns(sip, opts.resolve ?? resolveAll), checkPlainOff(sip));
  findings.push(checkSrtp(config));
  return findings;
}

/** Every certificate in a PEM file, in file order. */
export function readPemCertificates(file: string): X509Certificate[] {
  const pem = readFileSync(file, 'utf8');
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => new X509Certificate(block));
}

interface LoadedTls {
  finding: Finding;
  chain?: X509Certificate[];
  key?: KeyObject;
}

function loadTls(sip: Sip): LoadedTls {
  const check = 'sip-tls certificate and key files';
  const fix = letsEncrypt(sip.publicAddress);
  if (!sip.tls) {
    return {
      finding: fail(
        check,
        'sip.tls is not set: nothing serves SIP over TLS',
        `set sip.tls: ${fix}`,
      ),
    };
  }
  const { certFile, keyFile } = sip.tls;
  let chain: X509Certificate[];
  try {
    chain = readPemCertificates(certFile);
  } catch (err) {
    return { finding: fail(check, `cannot read certFile ${certFile}: ${reason(err)}`, fix) };
  }
  if (chain.length === 0) {
    return { finding: fail(check, `certFile ${certFile} holds no PEM certificate`, fix) };
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(keyFile));
  } catch (err) {
    const detail = `cannot read keyFile ${keyFile} as an unencrypted PEM private key: ${reason(err)}`;
    return { finding: fail(check, detail, fix) };
  }
  const count = `${chain.length} certificate${chain.length > 1 ? 's' : ''}`;
  return { finding: ok(check, `${certFile} (${count}), ${keyFile}`), chain, key };
}

let bundledRoots: X509Certificate[] | undefined;

function signedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}

/**
 * Each certificate is signed by the next, up to one issued by a trusted CA (Node's bundled roots,
 * plus `extraCaFile`). A file with the leaf alone is cert.pem: carriers cannot build the chain.
 */
export function checkChain(chain: X509Certificate[], name: string, extraCaFile?: string): Finding {
  const check = 'sip-tls certificate chain';
  const fix = `use fullchain.pem, not cert.pem: sip.tls.certFile: /etc/letsencrypt/live/${name}/fullchain.pem`;
  bundledRoots ??= rootCertificates.map((pem) => new X509Certificate(pem));
  let anchors = bundledRoots;
  if (extraCaFile) {
    try {
      anchors = [...readPemCertificates(extraCaFile), ...bundledRoots];
    } catch (err) {
      return fail(
        check,
        `cannot read the extra CA file ${extraCaFile}: ${reason(err)}`,
        '--ca-file must name a readable PEM file of CA certificates',
      );
    }
  }
  for (const [i, cert] of chain.entries()) {
    const next = chain[i + 1];
    if (next && !signedBy(cert, next)) {
      return fail(
        check,
        `certificate ${i + 1} (${commonName(cert.subject)}) is not signed by certificate ${i + 2} (${commonName(next.subject)})`,
        fix,
      );
    }
  }
  // Trust may start before the end: an old Let's Encrypt chain ends with a cross-signed root.
  for (const [i, cert] of chain.entries()) {
    const anchor = anchors.find(
      (a) => a.fingerprint256 === cert.fingerprint256 || signedBy(cert, a),
    );
    if (anchor) {
      const path = [...chain.slice(0, i + 1), anchor].map((c) => commonName(c.subject));
      return ok(check, `${[...new Set(path)].join(' → ')} (trusted)`);
    }
  }
  const last = chain[chain.length - 1]!;
  return fail(
    check,
    `${commonName(last.subject)} is issued by ${commonName(last.issuer)}, which is not a CA this system trusts` +
      (chain.length === 1 ? ' (the file holds the leaf certificate alone)' : ''),
    fix,
  );
}

export function checkExpiry(leaf: X509Certificate, now: Date): Finding {
  const check = 'sip-tls certificate expiry';
  const from = new Date(leaf.validFrom);
  const to = new Date(leaf.validTo);
  const days = Math.floor((to.getTime() - now.getTime()) / DAY_MS);
  const date = to.toISOString().slice(0, 10);
  const renew = 'certbot renew (the gateway picks up the renewed files by itself within a minute)';
  if (from > now) {
    return fail(
      check,
      `not valid before ${from.toISOString()}`,
      'check the clock (timedatectl), then certbot renew',
    );
  }
  if (days < 0) return fail(check, `expired on ${date} (${-days} days ago)`, renew);
  if (days < MIN_DAYS_LEFT) {
    return fail(check, `expires on ${date} (${days} days left, under ${MIN_DAYS_LEFT})`, renew);
  }
  return ok(check, `valid until ${date} (${days} days left)`);
}

export function checkName(leaf: X509Certificate, publicAddress: string): Finding {
  const check = 'sip-tls certificate name';
  const matched = isIP(publicAddress) ? leaf.checkIP(publicAddress) : leaf.checkHost(publicAddress);
  if (matched !== undefined) return ok(check, `covers ${publicAddress} (sip.publicAddress)`);
  const names = leaf.subjectAltName ?? commonName(leaf.subject);
  return fail(
    check,
    `does not cover ${publicAddress} (sip.publicAddress); it names ${names}`,
    `${letsEncrypt(publicAddress)}; or set sip.publicAddress to a name the certificate covers`,
  );
}

export function checkKey(leaf: X509Certificate, key: KeyObject): Finding {
  const check = 'sip-tls key matches certificate';
  if (leaf.checkPrivateKey(key)) return ok(check, 'keyFile is the certificate’s private key');
  return fail(
    check,
    'keyFile is not the private key of the first certificate in certFile',
    'take both from one certbot lineage: sip.tls.keyFile: /etc/letsencrypt/live/<name>/privkey.pem beside its fullchain.pem',
  );
}

function hostAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address));
}

/** One spelling per address, so `2001:db8:0::1` equals `2001:db8::1`. */
function canonical(ip: string): string {
  return isIP(ip) === 6 ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip;
}

const isWildcard = (host: string) => host === '0.0.0.0' || host === '::';
const isLoopback = (ip: string) => ip.startsWith('127.') || canonical(ip) === '::1';

/**
 * sip.publicIp must reach livekit-sip: it is on this host, or a NAT 1:1 forwards it to sip.host
 * (all addresses, or a private address of this host). Returns where to try the handshake.
 */
export function checkBound(sip: Sip, local: string[]): { finding: Finding; dial?: string } {
  const check = 'sip public address on this host';
  const here = new Set(local.map(canonical));
  const { publicIp, host } = sip;
  if (here.has(canonical(publicIp))) {
    return {
      finding: ok(check, `${publicIp} (sip.publicIp) is an address of this host`),
      dial: publicIp,
    };
  }
  const nat = `${publicIp} (sip.publicIp) is not on this host: NAT 1:1 assumed`;
  if (isWildcard(host)) {
    const loopback = host === '::' && isIP(publicIp) === 6 ? '::1' : '127.0.0.1';
    return { finding: ok(check, `${nat}, to sip.host ${host}`), dial: loopback };
  }
  if (here.has(canonical(host)) && !isLoopback(host)) {
    return { finding: ok(check, `${nat}, to sip.host ${host}`), dial: host };
  }
  return {
    finding: fail(
      check,
      `${publicIp} (sip.publicIp) is not an address of this host, and sip.host ${host} cannot receive what a NAT forwards`,
      `set sip.publicIp to an address of this host (ip -br addr); behind a NAT 1:1 that maps ${publicIp} here, set sip.host: 0.0.0.0`,
    ),
  };
}

/** The certificate served on host:port, by a TLS handshake that trusts nothing (we compare it). */
function servedCertificate(
  host: string,
  port: number,
  servername: string | undefined,
  timeoutMs: number,
): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, servername, rejectUnauthorized: false });
    const timer = setTimeout(() => {
      socket.destroy(
        Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }),
      );
    }, timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const cert = socket.getPeerX509Certificate();
      socket.destroy();
      if (cert) resolve(cert);
      else reject(new Error('the server sent no certificate'));
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** A TLS handshake on the public port serves the certificate in sip.tls.certFile. */
export async function checkServed(
  sip: Pick<Sip, 'publicAddress'>,
  target: { host: string; port: number },
  leaf: X509Certificate | undefined,
  timeoutMs: number,
): Promise<Finding> {
  const check = 'sip-tls answers on the public address';
  const { host, port } = target;
  const where = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
  const servername = isIP(sip.publicAddress) ? undefined : sip.publicAddress;
  let served: X509Certificate;
  try {
    served = await servedCertificate(host, port, servername, timeoutMs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED' || code === 'ETIMEDOUT' || code === 'EHOSTUNREACH') {
      return fail(check, `nothing answers on ${where} (${code})`, START_GATEWAY);
    }
    return fail(
      check,
      `${where} answers, but the TLS handshake fails: ${reason(err)}`,
      'read the gateway log (<run dir>/logs/livekit-sip*.log) and check sip.tls.certFile and keyFile',
    );
  }
  if (!leaf) return ok(check, `${where} serves serial ${served.serialNumber}`);
  if (served.serialNumber === leaf.serialNumber) {
    return ok(check, `${where} serves the certFile certificate (serial ${leaf.serialNumber})`);
  }
  return fail(
    check,
    `${where} serves serial ${served.serialNumber}, certFile has ${leaf.serialNumber}`,
    'the gateway picks up renewed files by itself within a minute; if this persists, restart it (switchboard up)',
  );
}

async function resolveAll(name: string): Promise<string[]> {
  return (await lookup(name, { all: true })).map((a) => a.address);
}

export async function checkDns(
  sip: Sip,
  resolve: (name: string) => Promise<string[]>,
): Promise<Finding> {
  const check = 'dns for sip.publicAddress';
  const { publicAddress: name, publicIp } = sip;
  if (isIP(name)) return ok(check, `${name} is an address; carriers need no DNS`);
  const record = `${isIP(publicIp) === 6 ? 'AAAA' : 'A'} record ${name} → ${publicIp}`;
  let addresses: string[];
  try {
    addresses = await resolve(name);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? reason(err);
    return fail(check, `${name} does not resolve (${code})`, `create an ${record}`);
  }
  if (addresses.map(canonical).includes(canonical(publicIp))) {
    return ok(check, `${name} resolves to ${publicIp} (sip.publicIp)`);
  }
  return fail(
    check,
    `${name} resolves to ${addresses.join(', ') || 'nothing'}, not ${publicIp} (sip.publicIp)`,
    `point the ${record}, or correct sip.publicIp`,
  );
}

/** Plain SIP carries the SRTP keys (SDES, in the SDP) in clear text: pilot serves TLS only. */
export function checkPlainOff(sip: Sip): Finding {
  const check = 'plain sip off';
  if (!sip.plain) return ok(check, `only SIP-TLS${sip.tls ? ` on ${sip.tls.port}` : ''}`);
  return fail(
    check,
    `plain SIP is served on ${sip.port} (UDP and TCP): signalling and the SRTP keys travel unencrypted`,
    'sip.plain: false',
  );
}

export function checkSrtp(config: SwitchboardConfig): Finding {
  const check = 'srtp required on inbound trunks';
  const { inboundTrunks } = config.provisioning;
  const weak = inboundTrunks
    .map((t, i) => ({ t, i, encryption: t.mediaEncryption ?? config.sip.mediaEncryption }))
    .filter((w) => w.encryption !== 'require');
  if (weak.length === 0)
    return ok(check, `every inbound trunk (${inboundTrunks.length}) requires SRTP`);
  const fixes = weak.map((w) =>
    w.t.mediaEncryption
      ? `provisioning.inboundTrunks[${w.i}].mediaEncryption: require`
      : 'sip.mediaEncryption: require',
  );
  return fail(
    check,
    `media may be plain RTP on ${weak.map((w) => `"${w.t.name}" (${w.encryption})`).join(', ')}`,
    [...new Set(fixes)].join('; '),
  );
}

function commonName(dn: string): string {
  return /CN=([^\n]+)/.exec(dn)?.[1] ?? dn.split('\n')[0] ?? dn;
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}
