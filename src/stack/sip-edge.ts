import { execFile } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { isIP, isIPv4 } from 'node:net';
import { promisify } from 'node:util';
import type { SwitchboardConfig } from '../config/index.js';

const run = promisify(execFile);

type EdgeConfig = Pick<SwitchboardConfig, 'deployment' | 'sip' | 'provisioning'>;

/**
 * The SIP edge: an nftables table in front of livekit-sip, which has no per-source limit and no
 * lockout of its own. It runs in prerouting at raw priority, before conntrack and before the
 * TLS redirect (sip-redirect.ts), so it sees the port as dialled and a flood costs neither a
 * conntrack entry nor a trunk lookup in livekit-sip:
 *
 * - `blocked_v4`/`_v6`: sources locked out after failed digest logins (sip-edge-watch.ts adds
 *   them, each with its own timeout);
 * - `flooders_v4`/`_v6`: sources that went over the per-source packet rate (the kernel adds them
 *   itself, like Kamailio's pike);
 * - `trusted_v4`/`_v6`: never limited (loopback is exempt by interface).
 */
export function edgeTable(deployment: string): string {
  return `switchboard_edge_${deployment.replace(/-/g, '_')}`;
}

/** The public SIP ports, by transport: the ports carriers and softphones dial. */
export function edgePorts(sip: SwitchboardConfig['sip']): { udp: number[]; tcp: number[] } {
  return {
    udp: sip.plain ? [sip.port] : [],
    tcp: [...(sip.plain ? [sip.port] : []), ...(sip.tls ? [sip.tls.port] : [])],
  };
}

/**
 * Sources the edge never limits: `sip.edge.trusted`, and the allowedAddresses of trunks without
 * digest auth. Those are carriers whose address is their gate: a UDP packet forged with their
 * address must not get them rate-blocked, and they never log in, so they cannot fail to.
 */
export function trustedSources(config: EdgeConfig): { v4: string[]; v6: string[] } {
  const carriers = config.provisioning.inboundTrunks
    .filter((t) => !t.auth)
    .flatMap((t) => t.allowedAddresses);
  const all = [...new Set([...config.sip.edge.trusted, ...carriers])];
  return {
    v4: all.filter((a) => isIPv4(a.split('/')[0] ?? '')),
    v6: all.filter((a) => !isIPv4(a.split('/')[0] ?? '')),
  };
}

/**
 * The edge's ruleset. Sets are declared with `table … { set … }` (an add: an existing set keeps
 * its elements), so reloading the table, as a restarted gateway does, keeps every block in place;
 * the chains and the trusted sets are flushed and written again from the config.
 */
export function edgeRuleset(config: EdgeConfig): string {
  const { sip } = config;
  const edge = sip.edge;
  const table = edgeTable(config.deployment);
  const ports = edgePorts(sip);
  const trusted = trustedSources(config);
  const dports = [
    ...(ports.udp.length > 0 ? [`udp dport { ${ports.udp.join(', ')} }`] : []),
    ...(ports.tcp.length > 0 ? [`tcp dport { ${ports.tcp.join(', ')} }`] : []),
  ];
  const family = (v: 'v4' | 'v6') =>
    v === 'v4'
      ? { type: 'ipv4_addr', ip: 'ip', proto: 'ipv4' }
      : { type: 'ipv6_addr', ip: 'ip6', proto: 'ipv6' };
  const sets = (['v4', 'v6'] as const).flatMap((v) => {
    const { type } = family(v);
    return [
      `  set blocked_${v} { type ${type}; flags timeout; }`,
      `  set flooders_${v} { type ${type}; flags dynamic,timeout; size 65535; }`,
      // The per-source meter: an entry lives while its source sends, and a while after.
      `  set rate_${v} { type ${type}; flags dynamic,timeout; timeout 60s; size 65536; }`,
      `  set trusted_${v} { type ${type}; flags interval; auto-merge; }`,
    ];
  });
  const perFamily = (['v4', 'v6'] as const).flatMap((v) => {
    const { ip, proto } = family(v);
    return [
      `add rule inet ${table} sip ${ip} saddr @blocked_${v} drop`,
      `add rule inet ${table} sip ${ip} saddr @flooders_${v} drop`,
      `add rule inet ${table} sip ${ip} saddr @trusted_${v} return`,
      `add rule inet ${table} sip meta nfproto ${proto} update @rate_${v} { ${ip} saddr limit rate over ${edge.packetsPerSecond}/second burst ${edge.burstPackets} packets }` +
        ` add @flooders_${v} { ${ip} saddr timeout ${edge.floodBlockSeconds}s } drop`,
    ];
  });
  const elements = (v: 'v4' | 'v6', list: string[]) =>
    list.length > 0 ? [`add element inet ${table} trusted_${v} { ${list.join(', ')} }`] : [];
  return [
    `table inet ${table} {`,
    ...sets,
    `  chain sip {}`,
    `  chain prerouting { type filter hook prerouting priority raw; policy accept; }`,
    `}`,
    `flush chain inet ${table} prerouting`,
    `flush chain inet ${table} sip`,
    `flush set inet ${table} trusted_v4`,
    `flush set inet ${table} trusted_v6`,
    ...elements('v4', trusted.v4),
    ...elements('v6', trusted.v6),
    ...perFamily,
    // This host's own traffic (the stack's parts, a local proxy) is never limited.
    `add rule inet ${table} prerouting iif lo return`,
    ...dports.map((d) => `add rule inet ${table} prerouting fib daddr type local ${d} jump sip`),
    '',
  ].join('\n');
}

export class EdgeError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EdgeError';
  }
}

async function nft(script: string): Promise<void> {
  const child = run('nft', ['-f', '-']);
  child.child.stdin?.end(script);
  await child;
}

const nftDetail = (cause: unknown) =>
  (cause as { stderr?: string }).stderr?.trim() || String(cause);

/** Loads (or reloads) the edge. Needs nftables and CAP_NET_ADMIN. */
export async function applyEdge(config: EdgeConfig): Promise<void> {
  const script = edgeRuleset(config);
  try {
    await nft(script);
  } catch (first) {
    // A set declared differently by an older version cannot be re-declared: start afresh.
    try {
      await nft(
        `table inet ${edgeTable(config.deployment)} {}\ndelete table inet ${edgeTable(config.deployment)}\n${script}`,
      );
    } catch {
      throw new EdgeError(
        `cannot load the SIP edge (nft): ${nftDetail(first)}. It needs nftables and CAP_NET_ADMIN ` +
          '(run the gateway as root or with the capability, as deploy/systemd/switchboard-sip.service does), ' +
          'or set sip.edge.enabled: false to run without a per-source limit and lockout',
        { cause: first },
      );
    }
  }
}

/** Drops every packet from `address` to the SIP ports for `seconds`. */
export async function blockSource(
  deployment: string,
  address: string,
  seconds: number,
): Promise<void> {
  const v = isIP(address) === 6 ? 'v6' : 'v4';
  await nft(
    `add element inet ${edgeTable(deployment)} blocked_${v} { ${address} timeout ${seconds}s }\n`,
  );
}

export interface BlockedSource {
  address: string;
  /** Seconds left. */
  expires: number;
}

/** The elements of one of the edge's timeout sets (`blocked` or `flooders`), both families. */
export async function listSources(
  deployment: string,
  set: 'blocked' | 'flooders',
): Promise<BlockedSource[]> {
  const out: BlockedSource[] = [];
  for (const v of ['v4', 'v6']) {
    const { stdout } = await run('nft', [
      '-j',
      'list',
      'set',
      'inet',
      edgeTable(deployment),
      `${set}_${v}`,
    ]);
    const parsed = JSON.parse(stdout) as { nftables: Array<{ set?: { elem?: unknown[] } }> };
    for (const entry of parsed.nftables) {
      for (const elem of entry.set?.elem ?? []) {
        const e = elem as { elem?: { val: string; expires?: number } } | string;
        if (typeof e === 'string') out.push({ address: e, expires: 0 });
        else if (e.elem) out.push({ address: e.elem.val, expires: e.elem.expires ?? 0 });
      }
    }
  }
  return out;
}

/** Removes the edge; synchronous so it also runs from a hard stop. */
export function removeEdge(deployment: string): void {
  spawnSync('nft', ['delete', 'table', 'inet', edgeTable(deployment)], { stdio: 'ignore' });
}
