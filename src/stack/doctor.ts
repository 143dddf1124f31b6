import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Redis } from 'ioredis';
import type { SwitchboardConfig } from '../config/index.js';
import { binaryPath, pinnedVersions, type GoBinary } from './binaries.js';
import { portClaims } from './stack.js';
import { takenPorts } from './ports.js';
import { httpOk } from './wait.js';

export interface Finding {
  ok: boolean;
  check: string;
  detail: string;
  /** One line that fixes it, when not ok. */
  fix?: string;
}

/** Channels each process subscribes to on the Redis it uses (psrpc over Redis pub/sub). */
const LIVEKIT_SIP_CHANNEL = 'SIPInternal|CreateSIPParticipant|REQ';
const LIVEKIT_SERVER_SIP_CHANNEL = 'IOInfo|GetSIPTrunkAuthentication|REQ';

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

function goBinary(name: GoBinary, pinned: string): Finding {
  const path = binaryPath(name);
  if (!existsSync(path)) {
    return {
      ok: false,
      check: name,
      detail: `not installed (pinned ${pinned})`,
      fix: 'bash scripts/install.sh',
    };
  }
  const stamp = join(dirname(path), 'VERSION');
  const installed = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : 'unknown';
  const ok = installed === pinned;
  return {
    ok,
    check: name,
    detail: `${installed} at ${path} (pinned ${pinned})`,
    fix: ok ? undefined : 'bash scripts/install.sh (rebuilds the pinned version)',
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

async function ports(config: SwitchboardConfig, stackRunning: boolean): Promise<Finding> {
  const taken = await takenPorts(portClaims(config));
  const detail =
    taken.length === 0
      ? 'all free'
      : `in use: ${taken.map((t) => `${t.port}/${t.protocol} (${t.field})`).join(', ')}`;
  // Taken by our own running stack is fine.
  const ok = taken.length === 0 || stackRunning;
  return {
    ok,
    check: 'ports',
    detail: stackRunning && taken.length > 0 ? `${detail} by the running stack` : detail,
    fix: ok
      ? undefined
      : 'stop whatever holds them (ss -lntup) or change those fields in switchboard.yaml',
  };
}

async function sharedRedis(config: SwitchboardConfig, livekitUp: boolean): Promise<Finding> {
  const check = 'one redis for livekit and livekit-sip';
  const redis = new Redis(config.redis.url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch {
    return {
      ok: !livekitUp,
      check,
      detail: `redis at ${config.redis.url} does not answer`,
      fix: 'start the stack with `switchboard up`, or fix redis.url',
    };
  }
  try {
    const channels = new Set((await redis.call('PUBSUB', 'CHANNELS', '*')) as string[]);
    const server = channels.has(LIVEKIT_SERVER_SIP_CHANNEL);
    const sip = channels.has(LIVEKIT_SIP_CHANNEL);
    if (server && sip) return { ok: true, check, detail: `both connected to ${config.redis.url}` };
    if (!server && !sip)
      return {
        ok: true,
        check,
        detail: 'stack not running; the generated configs both use redis.url',
      };
    return {
      ok: false,
      check,
      detail: `${server ? 'livekit-server' : 'livekit-sip'} uses ${config.redis.url}, ${server ? 'livekit-sip' : 'livekit-server'} does not`,
      fix: 'point both at the same Redis: restart with `switchboard up`, which writes both configs from redis.url',
    };
  } finally {
    redis.disconnect();
  }
}

/** Every check `switchboard doctor` runs, in order. */
export async function runDoctor(config: SwitchboardConfig): Promise<Finding[]> {
  const versions = pinnedVersions();
  const livekitUp = await httpOk(`http://127.0.0.1:${config.livekit.port}/`).catch(() => false);
  const stackRunning = await httpOk(`http://127.0.0.1:${config.controlPlane.port}/healthz`).catch(
    () => false,
  );
  return [
    nodeVersion(),
    goBinary('livekit-server', versions.LIVEKIT_SERVER_VERSION ?? ''),
    goBinary('livekit-sip', versions.LIVEKIT_SIP_VERSION ?? ''),
    debPackages(versions.APT_PACKAGES ?? ''),
    await ports(config, stackRunning),
    await sharedRedis(config, livekitUp),
  ];
}
