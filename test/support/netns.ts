import { execFile, execFileSync, spawnSync } from 'node:child_process';

/** A host of the test's own: a network namespace joined to this one by a veth pair. */
export interface ExternalHost {
  netns: string;
  /** Its address on the link. */
  address: string;
}

export interface TestNetwork {
  /** The gateway's address: this host's end of the caller's link. */
  gatewayAddress: string;
  /** The carrier: the address the trunk allows. */
  caller: ExternalHost;
  /** Another host on another link, outside the trunk's allowlist. */
  outsider: ExternalHost;
  remove(): void;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });

/** Links made here: two namespaces, two veth pairs, addresses in 10.77.0.0/24 and 10.77.1.0/24. */
const LINKS = [
  { netns: 'sb-e2e-carrier', hostSide: 'sbe-gw0', nsSide: 'sbe-c0', net: '10.77.0' },
  { netns: 'sb-e2e-outsider', hostSide: 'sbe-gw1', nsSide: 'sbe-o0', net: '10.77.1' },
] as const;

function removeLinks(): void {
  for (const link of LINKS) {
    // Deleting the namespace deletes its veth end, and with it the pair.
    spawnSync('ip', ['netns', 'del', link.netns], { stdio: 'ignore' });
    spawnSync('ip', ['link', 'del', link.hostSide], { stdio: 'ignore' });
  }
}

/**
 * Two other hosts for the pilot tests, on links of their own: only these addresses are ever
 * addressed. Left-overs of an interrupted run are removed first.
 */
export function createTestNetwork(): TestNetwork {
  removeLinks();
  for (const { netns, hostSide, nsSide, net } of LINKS) {
    ip('netns', 'add', netns);
    ip('link', 'add', hostSide, 'type', 'veth', 'peer', 'name', nsSide, 'netns', netns);
    ip('addr', 'add', `${net}.1/24`, 'dev', hostSide);
    ip('link', 'set', hostSide, 'up');
    ip('-n', netns, 'addr', 'add', `${net}.2/24`, 'dev', nsSide);
    ip('-n', netns, 'link', 'set', nsSide, 'up');
    ip('-n', netns, 'link', 'set', 'lo', 'up');
  }
  // The outsider reaches the gateway's address through its own link.
  ip('-n', 'sb-e2e-outsider', 'route', 'add', '10.77.0.0/24', 'via', '10.77.1.1');
  return {
    gatewayAddress: '10.77.0.1',
    caller: { netns: 'sb-e2e-carrier', address: '10.77.0.2' },
    outsider: { netns: 'sb-e2e-outsider', address: '10.77.1.2' },
    remove: removeLinks,
  };
}

/** Runs a command on an external host. */
export function execOn(host: ExternalHost, command: string, args: string[], input?: string) {
  return spawnSync('ip', ['netns', 'exec', host.netns, command, ...args], {
    input,
    encoding: 'utf8',
    timeout: 20_000,
  });
}

/** Like execOn, without blocking this process (so a server in it can answer meanwhile). */
export function execOnAsync(
  host: ExternalHost,
  command: string,
  args: string[],
): Promise<{ stdout: string; stderr: string; status: number }> {
  return new Promise((resolve) => {
    execFile(
      'ip',
      ['netns', 'exec', host.netns, command, ...args],
      { encoding: 'utf8', timeout: 20_000 },
      (err, stdout, stderr) =>
        resolve({ stdout, stderr, status: err ? Number((err as { code?: number }).code ?? 1) : 0 }),
    );
  });
}

/** One link of a test network: a namespace with `<net>.2`, this host's end at `<net>.1`. */
export interface LinkSpec {
  netns: string;
  /** veth names, at most 15 characters. */
  hostSide: string;
  nsSide: string;
  /** The /24's first three octets, e.g. '10.78.0'. */
  net: string;
}

/**
 * Hosts of a test's own, one link each, every one routed to the first link's host address (the
 * gateway's). Left-overs of an interrupted run are removed first; `remove` deletes them all.
 */
export function createHosts(links: LinkSpec[]): {
  gatewayAddress: string;
  hosts: ExternalHost[];
  remove(): void;
} {
  const remove = () => {
    for (const link of links) {
      spawnSync('ip', ['netns', 'del', link.netns], { stdio: 'ignore' });
      spawnSync('ip', ['link', 'del', link.hostSide], { stdio: 'ignore' });
    }
  };
  remove();
  const first = links[0]!;
  for (const { netns, hostSide, nsSide, net } of links) {
    ip('netns', 'add', netns);
    ip('link', 'add', hostSide, 'type', 'veth', 'peer', 'name', nsSide, 'netns', netns);
    ip('addr', 'add', `${net}.1/24`, 'dev', hostSide);
    ip('link', 'set', hostSide, 'up');
    ip('-n', netns, 'addr', 'add', `${net}.2/24`, 'dev', nsSide);
    ip('-n', netns, 'link', 'set', nsSide, 'up');
    ip('-n', netns, 'link', 'set', 'lo', 'up');
    if (net !== first.net) ip('-n', netns, 'route', 'add', `${first.net}.0/24`, 'via', `${net}.1`);
  }
  return {
    gatewayAddress: `${first.net}.1`,
    hosts: links.map((l) => ({ netns: l.netns, address: `${l.net}.2` })),
    remove,
  };
}
