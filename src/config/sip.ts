import { isIP } from 'node:net';
import { z } from 'zod';

const port = z.number().int().min(1).max(65535);

/** Where certbot puts a certificate for `<name>`; documented in the README's pilot section. */
export const LETS_ENCRYPT_HINT =
  'e.g. certFile: /etc/letsencrypt/live/<name>/fullchain.pem, keyFile: /etc/letsencrypt/live/<name>/privkey.pem';

export const sipTlsSchema = z
  .object({
    /** The port carriers dial for SIP over TLS (`;transport=tls`). */
    port: port.default(5061),
    certFile: z.string().min(1),
    keyFile: z.string().min(1),
    /**
     * Extra CAs (PEM) livekit-sip trusts, besides the system's, when it opens a TLS connection
     * itself (a REFER to a carrier whose certificate comes from a private CA).
     */
    caFile: z.string().min(1).optional(),
  })
  .strict();

const cidr = z.string().refine((v) => {
  const [addr, bits, ...rest] = v.split('/');
  const family = isIP(addr ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n >= 0 && n <= (family === 4 ? 32 : 128);
}, 'use an address or CIDR, e.g. 192.0.2.10 or 192.0.2.0/24');

/**
 * The SIP edge (sip-edge.ts): an nftables table in front of livekit-sip's public ports. A source
 * over the packet rate is dropped for `floodBlockSeconds`; a source with `maxAuthFailures` failed
 * digest logins within `failureWindowSeconds` is dropped for `blockSeconds`.
 */
export const sipEdgeSchema = z
  .object({
    /**
     * true: the gateway refuses to start without the edge (nftables and CAP_NET_ADMIN). false: no
     * edge. Unset: required under profile pilot; in dev used when nft can load it, else a warning.
     */
    enabled: z.boolean().optional(),
    /** Failed digest logins from one source address before it is blocked. */
    maxAuthFailures: z.number().int().min(1).max(1000).default(5),
    /** The failures counted are those within this many seconds. */
    failureWindowSeconds: z.number().int().min(1).max(86_400).default(300),
    /** How long a source stays blocked after too many failed logins. */
    blockSeconds: z.number().int().min(1).max(604_800).default(900),
    /** SIP packets per second one source may send (UDP and TCP, every message counts). */
    packetsPerSecond: z.number().int().min(1).max(100_000).default(50),
    /** Packets a source may send at once above the rate before it counts as a flood. */
    burstPackets: z.number().int().min(1).max(100_000).default(100),
    /** How long a source over the rate stays dropped. */
    floodBlockSeconds: z.number().int().min(1).max(86_400).default(60),
    /**
     * Sources never rate-limited nor blocked, besides loopback and the allowedAddresses of trunks
     * without digest auth (carriers gated by address: a forged packet must not lock them out).
     */
    trusted: z.array(cidr).default([]),
  })
  .strict();

export const sipConfigSchema = z
  .object({
    /** Address livekit-sip binds (signalling). Dev default: loopback. */
    host: z.string().min(1).default('127.0.0.1'),
    /**
     * The name or address carriers dial and see in Contact headers. Default: `host`.
     * With a DNS name, `publicIp` says which address goes into SDP (NAT 1:1).
     */
    publicAddress: z.string().min(1).optional(),
    /** The IP address in SDP and NAT 1:1 mapping. Default: publicAddress when it is an IP, else host. */
    publicIp: z
      .string()
      .refine((v) => isIP(v) !== 0, 'use an IPv4 or IPv6 address')
      .optional(),
    /** Plain SIP over UDP and TCP. */
    port: port.default(5060),
    /** Whether plain UDP/TCP SIP is served. Default: on in dev, off in pilot. */
    plain: z.boolean().optional(),
    /** SIP over TLS. Required by profile pilot. */
    tls: sipTlsSchema.optional(),
    /**
     * SRTP for every inbound trunk that does not set its own: `require` refuses a call that offers
     * only plain RTP. Default: disable in dev, require in pilot.
     */
    mediaEncryption: z.enum(['disable', 'allow', 'require']).optional(),
    rtpPortStart: port.default(10000),
    rtpPortEnd: port.default(10199),
    /**
     * With TLS, livekit-sip runs as two generations so a renewed certificate is picked up without
     * dropping calls: each listens on internal ports from here (plain and TLS for each, then each
     * one's health port: six in all), and a kernel redirect sends new connections on the public
     * ports to the current one.
     */
    internalPortBase: port.default(15060),
    /** livekit-sip logs the caller's number at info; warn keeps most of it out of the log. */
    logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('warn'),
    /** livekit-sip's health port without TLS; with TLS, each generation's is in the internal block. */
    healthPort: port.default(8081),
    /** Rate limit and failed-login lockout per source address in front of livekit-sip. */
    edge: sipEdgeSchema.default({}),
  })
  .strict();

type SipInput = z.infer<typeof sipConfigSchema>;

export interface ResolvedSip extends Omit<
  SipInput,
  'publicAddress' | 'publicIp' | 'plain' | 'mediaEncryption'
> {
  publicAddress: string;
  publicIp: string;
  plain: boolean;
  mediaEncryption: 'disable' | 'allow' | 'require';
}

/** Fills the defaults that depend on the profile and on each other. */
export function resolveSip(sip: SipInput, profile: 'dev' | 'pilot'): ResolvedSip {
  const publicAddress = sip.publicAddress ?? sip.host;
  return {
    ...sip,
    publicAddress,
    publicIp: sip.publicIp ?? (isIP(publicAddress) ? publicAddress : sip.host),
    plain: sip.plain ?? profile === 'dev',
    mediaEncryption: sip.mediaEncryption ?? (profile === 'pilot' ? 'require' : 'disable'),
  };
}

/** Cross-field checks for the root schema's superRefine. Each message names the fix. */
export function checkSip(
  config: { profile: 'dev' | 'pilot'; sip: SipInput },
  ctx: z.RefinementCtx,
): void {
  const { sip, profile } = config;
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path: ['sip', ...path], message });
  if (profile === 'pilot') {
    if (!sip.tls)
      issue(['tls'], `profile pilot serves SIP over TLS: set sip.tls (${LETS_ENCRYPT_HINT})`);
    if (!sip.publicAddress)
      issue(
        ['publicAddress'],
        'profile pilot needs the name carriers dial, e.g. sip.hospital.example',
      );
  }
  if (sip.publicAddress && !isIP(sip.publicAddress) && !sip.publicIp && isLoopbackOrAny(sip.host))
    issue(
      ['publicIp'],
      'sip.publicAddress is a DNS name: set sip.publicIp to the address it resolves to (it goes into SDP)',
    );
  if (sip.plain === false && !sip.tls)
    issue(['plain'], 'with plain SIP off, set sip.tls, or nothing listens for calls');
  if (sip.rtpPortEnd < sip.rtpPortStart)
    issue(['rtpPortEnd'], 'must not be below sip.rtpPortStart');
  if (sip.edge.enabled !== false && sip.logLevel === 'error')
    issue(
      ['logLevel'],
      'the SIP edge counts failed digest logins from livekit-sip warn lines: set sip.logLevel: warn, ' +
        'or turn the edge off with sip.edge.enabled: false',
    );
  if (sip.edge.burstPackets < sip.edge.packetsPerSecond)
    issue(['edge', 'burstPackets'], 'must be at least sip.edge.packetsPerSecond');
}

function isLoopbackOrAny(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host.startsWith('127.') || host === '::1';
}

/** The internal ports of the two livekit-sip generations (with TLS). */
export function internalPorts(base: number): {
  plain: [number, number];
  tls: [number, number];
  health: [number, number];
  /** The SIP listen ports (not health). */
  all: number[];
} {
  return {
    plain: [base, base + 2],
    tls: [base + 1, base + 3],
    health: [base + 4, base + 5],
    all: [base, base + 1, base + 2, base + 3],
  };
}
