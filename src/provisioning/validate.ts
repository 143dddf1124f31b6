import { isIPv4, isIPv6 } from 'node:net';

/**
 * IPv4 prefixes shorter than this cover at least 1/128 of the internet. No carrier publishes
 * such a range, and two of them (0.0.0.0/1 + 128.0.0.0/1) would be `0.0.0.0/0` in disguise.
 */
const MIN_PREFIX = { 4: 8, 6: 32 } as const;

/**
 * Checks one `allowedAddresses` entry the way it must be for livekit-sip to enforce it: an IP or
 * a CIDR that Go's netip parses. Returns a message saying how to fix it, or undefined when valid.
 *
 * LiveKit stores any string. Depending on the version it then drops entries it cannot parse
 * (leaving an empty list, which accepts every source), never matches them, or compares them
 * with the From host of the INVITE, which the caller writes. So we accept only literal IPs and
 * CIDRs, and refuse the ones that open the trunk to the world.
 */
export function checkAddress(entry: string): string | undefined {
  const how = 'use an IP (203.0.113.10) or a CIDR (203.0.113.0/24) from your carrier';
  if (entry.trim() !== entry || entry === '') return `empty or padded with spaces; ${how}`;
  if (/[,;\s]/.test(entry)) return `looks like several entries in one; put each on its own line`;
  if (entry.includes('%')) return `IPv6 zones (%eth0) are not allowed; ${how}`;
  const slash = entry.indexOf('/');
  const ip = slash === -1 ? entry : entry.slice(0, slash);
  const family = isIPv4(ip) ? 4 : isIPv6(ip) ? 6 : undefined;
  if (family === undefined) {
    return /[a-z]/i.test(ip) && !ip.includes(':')
      ? `host names are not allowed (LiveKit matches them against the caller-controlled From host); ${how}`
      : `"${ip}" is not an IP address; ${how}`;
  }
  if (family === 6 && /^::ffff:/i.test(ip)) {
    return 'IPv4-mapped IPv6 never matches an IPv4 source; write the plain IPv4 address';
  }
  if (slash === -1) return undefined;
  const bitsText = entry.slice(slash + 1);
  const max = family === 4 ? 32 : 128;
  if (!/^(0|[1-9]\d{0,2})$/.test(bitsText) || Number(bitsText) > max) {
    return `prefix length must be a number from 0 to ${max}, got "/${bitsText}"; ${how}`;
  }
  const bits = Number(bitsText);
  if (bits === 0) {
    return 'opens the trunk to the whole internet; list only your carrier’s signalling ranges';
  }
  if (bits < MIN_PREFIX[family]) {
    return `/${bits} is far wider than any carrier range (minimum /${MIN_PREFIX[family]}); list the carrier’s published ranges`;
  }
  return undefined;
}

/** Passwords that must never protect a pilot trunk: the shipped dev ones and the usual suspects. */
const DEV_WORDS = [
  'dev',
  'test',
  'secret',
  'password',
  'passwd',
  'changeme',
  'example',
  'demo',
  'sample',
  'phasea',
  'default',
  'admin',
  'softphone',
  'switchboard',
  '1234',
  'qwerty',
];

/** A password that looks like a development or placeholder value (or is simply too short). */
export function looksLikeDevPassword(password: string): boolean {
  const lower = password.toLowerCase();
  return password.length < 16 || DEV_WORDS.some((word) => lower.includes(word));
}

/** host or host:port, IPv4, or [IPv6]:port; no scheme, no user part. */
export const SIP_HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** The port of a `host:port` (or `[v6]:port`) address, when given, must be 1-65535. */
export function checkSipPort(address: string): string | undefined {
  const port = /:(\d{1,5})$/.exec(
    address.startsWith('[') ? address.slice(address.indexOf(']')) : address,
  );
  if (!port) return undefined;
  const n = Number(port[1]);
  return n >= 1 && n <= 65_535
    ? undefined
    : `port ${port[1]} is out of range; use 1-65535 (5060 for udp/tcp, 5061 for tls), or leave it out`;
}
