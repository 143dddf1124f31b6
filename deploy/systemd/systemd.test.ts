/**
 * The systemd units, checked by systemd itself: `systemd-analyze verify` and `security --offline`
 * inside a throwaway root that holds this machine's system units (for the targets and
 * redis-server.service the units name), our units, and bin/switchboard.js installed as
 * /usr/local/bin/switchboard. A copy, not a symlink: systemd resolves links inside the root.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const units = readdirSync(here)
  .filter((f) => /\.(service|target)$/.test(f))
  .sort();
const services = units.filter((u) => u.endsWith('.service'));
const read = (unit: string) => readFileSync(join(here, unit), 'utf8');

const ROLES = ['agent', 'control-plane', 'livekit-server', 'sip', 'config', 'log-sink'];
const SYSTEM_UNITS = '/usr/lib/systemd/system';

let root: string;

/** systemd-analyze's verdict: a unit passes only with exit 0 and not a word on stderr. */
function analyze(...args: string[]): { status: number | null; stderr: string; stdout: string } {
  const run = spawnSync(
    'systemd-analyze',
    [...args.slice(0, 1), `--root=${root}`, ...args.slice(1)],
    {
      encoding: 'utf8',
    },
  );
  if (run.error)
    throw new Error('systemd-analyze is missing: apt-get install systemd', { cause: run.error });
  return { status: run.status, stderr: run.stderr, stdout: run.stdout };
}

/** `verify` prints a directive it cannot parse and carries on with exit 0: both must be clean. */
const verify = (unit: string) => analyze('verify', '--man=no', unit);

function install(name: string, text: string): void {
  writeFileSync(join(root, 'etc/systemd/system', name), text);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'switchboard-systemd-'));
  mkdirSync(join(root, 'usr/lib/systemd'), { recursive: true });
  cpSync(SYSTEM_UNITS, join(root, 'usr/lib/systemd/system'), {
    recursive: true,
    verbatimSymlinks: true,
  });
  mkdirSync(join(root, 'etc/systemd/system'), { recursive: true });
  mkdirSync(join(root, 'usr/local/bin'), { recursive: true });
  copyFileSync(join(repo, 'bin/switchboard.js'), join(root, 'usr/local/bin/switchboard'));
  chmodSync(join(root, 'usr/local/bin/switchboard'), 0o755);
  for (const unit of units) install(unit, read(unit));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('systemd units', () => {
  it('ship the four roles and the target', () => {
    expect(units).toEqual([
      'switchboard-agent.service',
      'switchboard-control-plane.service',
      'switchboard-livekit-server.service',
      'switchboard-sip.service',
      'switchboard.target',
    ]);
  });

  it.each(units)('%s passes systemd-analyze verify', (unit) => {
    expect(verify(unit)).toMatchObject({ status: 0, stderr: '' });
  });

  it.each(services)('%s is hardened (systemd-analyze security: exposure at most 3.0)', (unit) => {
    const { status, stdout } = analyze('security', '--offline=yes', '--threshold=30', unit);
    expect(
      status,
      stdout
        .split('\n')
        .filter((l) => l.includes('Overall'))
        .join(''),
    ).toBe(0);
  });

  it.each(services)('%s runs a role as the switchboard user, with the secrets file', (unit) => {
    const text = read(unit);
    const exec = /^ExecStart=(.*)$/m.exec(text)?.[1];
    const role =
      /^\/usr\/local\/bin\/switchboard run (\S+) --config \/etc\/switchboard\/switchboard\.yaml$/.exec(
        exec ?? '',
      )?.[1];
    expect(ROLES).toContain(role);
    expect(unit).toBe(`switchboard-${role}.service`);
    for (const line of [
      'User=switchboard',
      'EnvironmentFile=/etc/switchboard/secrets.env',
      'Restart=on-failure',
      'KillSignal=SIGTERM',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'PrivateTmp=yes',
      'PartOf=switchboard.target',
      'WantedBy=switchboard.target',
    ]) {
      expect(text.split('\n'), line).toContain(line);
    }
    expect(text).toMatch(/^Wants=.*\bnetwork-online\.target\b.*\bredis-server\.service\b/m);
    expect(text).toMatch(/^After=.*\bnetwork-online\.target\b.*\bredis-server\.service\b/m);
  });

  it('gives the gateway its two capabilities and no other unit any', () => {
    for (const unit of services) {
      const text = read(unit);
      if (unit === 'switchboard-sip.service') {
        expect(text).toMatch(/^AmbientCapabilities=CAP_NET_ADMIN CAP_NET_BIND_SERVICE$/m);
        expect(text).toMatch(/^CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_BIND_SERVICE$/m);
      } else {
        expect(text).not.toMatch(/^AmbientCapabilities=/m);
        expect(text).toMatch(/^CapabilityBoundingSet=$/m);
      }
    }
  });

  it('lets the gateway, the agent and livekit-server drain the longest call on stop', () => {
    const longestCall = Math.max(
      ...['twilio-pilot.yaml', 'cloudonix.yaml'].flatMap((f) =>
        [
          ...readFileSync(join(repo, 'examples/config', f), 'utf8').matchAll(
            /maxCallDurationSeconds: (\d+)/g,
          ),
        ].map((m) => Number(m[1])),
      ),
    );
    for (const role of ['sip', 'agent', 'livekit-server']) {
      const minutes = /^TimeoutStopSec=(\d+)min$/m.exec(read(`switchboard-${role}.service`))?.[1];
      expect(Number(minutes) * 60, role).toBeGreaterThan(longestCall);
    }
  });

  it('the target pulls in every service', () => {
    const wants = /^Wants=(.*)$/m.exec(read('switchboard.target'))?.[1]?.split(/\s+/).sort();
    expect(wants).toEqual(services);
  });
});

describe('the verify check itself', () => {
  it('fails a unit with a directive systemd cannot parse, though systemd-analyze exits 0', () => {
    install(
      'broken.service',
      read('switchboard-agent.service')
        .replace('ProtectSystem=strict', 'ProtectSystem=very-strict')
        .replace('NoNewPrivileges=yes', 'NoNewPriviledges=yes'),
    );
    const result = verify('broken.service');
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/Failed to parse protect system value/);
    expect(result.stderr).toMatch(/Unknown key 'NoNewPriviledges'/);
  });

  it('fails a unit whose program is not installed', () => {
    install(
      'missing.service',
      read('switchboard-agent.service').replace(
        '/usr/local/bin/switchboard',
        '/usr/local/bin/switchbored',
      ),
    );
    const result = verify('missing.service');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/switchbored is not executable/);
  });

  it('fails a unit without hardening on security', () => {
    install('plain.service', '[Service]\nExecStart=/usr/local/bin/switchboard run agent\n');
    expect(analyze('security', '--offline=yes', '--threshold=30', 'plain.service').status).not.toBe(
      0,
    );
  });
});
