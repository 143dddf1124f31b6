import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { livekitHttpUrl, type SwitchboardConfig } from '../config/index.js';
import {
  binaryPath,
  patchFiles,
  pinnedVersions,
  unpatchedBinaryPath,
  type GoBinary,
} from './binaries.js';
import { runPilotChecks, type PilotCheckOptions } from './pilot-checks.js';
import { agentHealthUrl, anyHealthy, controlPlaneHealthUrl, portClaims } from './stack.js';
import { sipHealthUrls } from './sip-gateway.js';
import { takenPorts, type PortClaim } from './ports.js';
import { connectRedisOnce } from './redis-probe.js';
import { httpOk } from './wait.js';

export interface Finding {
  ok: boolean;
  check: string;
  detail: string;
  /** One line that fixes it, when not ok. */
  fix?: string;
}

/**
 * Channels each process subscribes to on the Redis it uses (psrpc over Redis pub/sub). These are
 * psrpc internals: the doctor e2e test runs against the pinned binaries and fails if they change.
 */
const LIVEKIT_SIP_CHANNEL = 'SIPInternal|CreateSIPParticipant|REQ';
const LIVEKIT_SERVER_SIP_CHANNEL = 'IOInfo|GetSIPTrunkAuthentication|REQ';

/** What the running services answer; each probe is false when nothing (or nothing healthy) answers. */
export interface Liveness {
  livekit: boolean;
  sip: boolean;
  agent: boolean;
  controlPlane: boolean;
}

async function liveness(config: SwitchboardConfig): Promise<Liveness> {
  const probe = (check: Promise<boolean>) => check.catch(() => false);
  const [livekit, sip, agent, controlPlane] = await Promise.all([
    probe(httpOk(new URL('/', livekitHttpUrl(config.livekit.url)).href)),
    probe(anyHealthy(sipHealthUrls(config))),
    probe(httpOk(agentHealthUrl(config))),
    probe(httpOk(controlPlaneHealthUrl(config))),
  ]);
  return { livekit, sip, agent, controlPlane };
}

function nodeVersion(): Finding {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const ok = major > 20 || (major === 20 && minor >= 3);
  return {
    ok,
    check: 'node',
    detail: `v${process.versions.node} (need >= 20.3)`,
    fix: ok ? undefined : 'install Node.js 20.3 or newer',
  };
}

/** Version printed by `<binary> --version`: `livekit-server version 1.13.5`, `SIP version 1.8.0`. */
function reportedVersion(path: string): string | undefined {
  const out = execFileSync(path, ['--version'], {
    encoding: 'utf8',
    timeout: 10_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return /\bversion\s+v?(\S+)/i.exec(out)?.[1];
}

/** livekit-sip prints this when built without `-X github.com/livekit/sip/version.Version=…`. */
const UNSTAMPED = '0.0.0-dev';

/**
 * Asks the installed binary for its own version and compares it with the pin. A component with
 * deploy/patches must be the patched build: a stock one of the same version is not enough.
 */
export function checkGoBinary(name: GoBinary, pinned: string, binCache?: string): Finding {
  const path = binaryPath(name, binCache);
  const fix = `rm -rf ${path.slice(0, path.lastIndexOf('/'))} && bash scripts/install.sh`;
  const patches = patchFiles(name).length;
  const withPatches = `deploy/patches/${name} (${patches} ${patches === 1 ? 'patch' : 'patches'})`;
  if (!existsSync(path)) {
    const stock = unpatchedBinaryPath(name, binCache);
    return {
      ok: false,
      check: name,
      detail:
        patches > 0 && existsSync(stock)
          ? `only an unpatched build at ${stock}; the pinned build carries ${withPatches}`
          : `not installed (pinned ${pinned})`,
      fix: 'bash scripts/install.sh',
    };
  }
  let reported: string | undefined;
  try {
    reported = reportedVersion(path);
  } catch (err) {
    return {
      ok: false,
      check: name,
      detail: `${path} --version failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
      fix,
    };
  }
  const want = pinned.replace(/^v/, '');
  if (reported === want) {
    const detail = `v${reported} at ${path}${patches > 0 ? `, with ${withPatches}` : ''}`;
    return { ok: true, check: name, detail };
  }
  return {
    ok: false,
    check: name,
    detail:
      reported === UNSTAMPED
        ? `reports ${UNSTAMPED}: built without its version stamp, so it cannot confirm it is the pinned ${pinned}`
        : `reports ${reported === undefined ? 'no version' : `v${reported}`}, pinned ${pinned}`,
    fix,
  };
}

function debPackages(list: string): Finding {
  const missing = list
    .split(/\s+/)
    .filter(Boolean)
    .filter((pkg) => {
      try {
        return !execFileSync('dpkg-query', ['-W', '-f=${Status}', pkg], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        }).includes('install ok installed');
      } catch {
        return true;
      }
    });
  return {
    ok: missing.length === 0,
    check: 'debian packages',
    detail: missing.length === 0 ? 'all installed' : `missing: ${missing.join(' ')}`,
    fix: missing.length === 0 ? undefined : `apt-get install -y ${missing.join(' ')}`,
  };
}

/** Whether the component that owns a port (by its config field) answers its own health check. */
function ownerAnswers(claim: PortClaim, live: Liveness): boolean {
  if (claim.field.startsWith('livekit.')) return live.livekit;
  if (claim.field.startsWith('sip.')) return live.sip;
  if (claim.field.startsWith('agent.')) return live.agent;
  if (claim.field.startsWith('controlPlane.')) return live.controlPlane;
  return false;
}

/**
 * Every port the stack needs is free, or held by the component that owns it: a taken SIP port
 * with no healthy livekit-sip behind it is something else's, whatever else of the stack answers.
 */
export async function checkPorts(config: SwitchboardConfig, live: Liveness): Promise<Finding> {
  const taken = await takenPorts(portClaims(config));
  const foreign = taken.filter((claim) => !ownerAnswers(claim, live));
  const list = (claims: PortClaim[]) =>
    claims.map((t) => `${t.port}/${t.protocol} (${t.field})`).join(', ');
  if (foreign.length > 0) {
    return {
      ok: false,
      check: 'ports',
      detail: `in use by something other than the stack: ${list(foreign)}`,
      fix: 'stop whatever holds them (ss -lntup) or change those fields in switchboard.yaml',
    };
  }
  return {
    ok: true,
    check: 'ports',
    detail: taken.length === 0 ? 'all free' : `in use by the running stack: ${list(taken)}`,
  };
}

/**
 * livekit-server and livekit-sip must share redis.url: each one that answers must be subscribed
 * to its psrpc channel on that Redis. Only when neither answers is there nothing to compare.
 */
export async function checkSharedRedis(
  config: SwitchboardConfig,
  live: Pick<Liveness, 'livekit' | 'sip'>,
): Promise<Finding> {
  const check = 'one redis for livekit and livekit-sip';
  const up = [live.livekit && 'livekit-server', live.sip && 'livekit-sip'].filter(
    (n): n is string => typeof n === 'string',
  );
  let redis;
  try {
    redis = await connectRedisOnce(config.redis.url, 1000, { commandTimeoutMs: 1000 });
  } catch {
    return {
      ok: up.length === 0,
      check,
      detail:
        up.length === 0
          ? `stack not running; redis at ${config.redis.url} does not answer`
          : `${up.join(' and ')} answer, but redis at ${config.redis.url} does not`,
      fix: 'start the stack with `switchboard up`, or fix redis.url',
    };
  }
  try {
    const channels = new Set((await redis.call('PUBSUB', 'CHANNELS', '*')) as string[]);
    const on = {
      'livekit-server': channels.has(LIVEKIT_SERVER_SIP_CHANNEL),
      'livekit-sip': channels.has(LIVEKIT_SIP_CHANNEL),
    };
    const elsewhere = up.filter((name) => !on[name as keyof typeof on]);
    if (elsewhere.length > 0) {
      return {
        ok: false,
        check,
        detail: `${elsewhere.join(' and ')} ${elsewhere.length > 1 ? 'answer' : 'answers'} but ${elsewhere.length > 1 ? 'are' : 'is'} not connected to ${config.redis.url}`,
        fix: 'point both at the same Redis: restart with `switchboard up`, which writes both configs from redis.url',
      };
    }
    if (up.length === 2)
      return { ok: true, check, detail: `both connected to ${config.redis.url}` };
    if (up.length === 0) {
      return {
        ok: true,
        check,
        detail: 'stack not running; the generated configs both use redis.url',
      };
    }
    return {
      ok: true,
      check,
      detail: `${up[0]} connected to ${config.redis.url}; the other is not running`,
    };
  } finally {
    redis.disconnect();
  }
}

export interface DoctorOptions {
  /** Where scripts/install.sh cached the Go binaries (SWITCHBOARD_BIN_CACHE); default ~/.cache/switchboard/bin. */
  binCache?: string;
  /** Overrides the config's profile: `pilot` adds the pilot checks (TLS, address, DNS, SRTP). */
  profile?: 'dev' | 'pilot';
  pilot?: PilotCheckOptions;
}

/** Every check `switchboard doctor` runs, in order. */
export async function runDoctor(
  config: SwitchboardConfig,
  opts: DoctorOptions = {},
): Promise<Finding[]> {
  const versions = pinnedVersions();
  const live = await liveness(config);
  const findings = [
    nodeVersion(),
    checkGoBinary('livekit-server', versions.LIVEKIT_SERVER_VERSION ?? '', opts.binCache),
    checkGoBinary('livekit-sip', versions.LIVEKIT_SIP_VERSION ?? '', opts.binCache),
    debPackages(versions.APT_PACKAGES ?? ''),
    await checkPorts(config, live),
    await checkSharedRedis(config, live),
  ];
  if ((opts.profile ?? config.profile) === 'pilot') {
    findings.push(...(await runPilotChecks(config, opts.pilot)));
  }
  return findings;
}
