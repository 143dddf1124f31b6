import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import type { SwitchboardConfig } from '../config/index.js';
import type { Logger } from '../telemetry/index.js';
import {
  applyEdge,
  blockSource,
  EdgeError,
  edgeTable,
  listSources,
  removeEdge,
} from './sip-edge.js';

/**
 * What livekit-sip v1.8.0 logs, at warn, when a digest login fails (pkg/sip/inbound.go,
 * handleInviteAuth). Each line carries `fromIP`, the transport source of the INVITE, from the
 * call's logger (newInbound); it also carries `fromUser`, the caller's number, which we never read.
 */
export const AUTH_FAILURE_MESSAGES = [
  'Authentication failed - response mismatch',
  'Authentication failed - username mismatch',
  'Failed to parse Proxy-Authorization credentials',
  'No challenge state found for authentication attempt',
  'Failed to compute digest response',
] as const;

/** The source address of a failed digest login, if `line` is livekit-sip's log of one. */
export function authFailureSource(line: string): string | undefined {
  // Most lines are not about auth: skip them before parsing JSON.
  if (!AUTH_FAILURE_MESSAGES.some((m) => line.includes(m))) return undefined;
  let entry: { msg?: unknown; fromIP?: unknown };
  try {
    entry = JSON.parse(line.slice(line.indexOf('{'))) as typeof entry;
  } catch {
    return undefined;
  }
  if (!AUTH_FAILURE_MESSAGES.includes(entry.msg as (typeof AUTH_FAILURE_MESSAGES)[number]))
    return undefined;
  const ip = typeof entry.fromIP === 'string' ? entry.fromIP : undefined;
  return ip && isIP(ip) ? ip : undefined;
}

/**
 * Failed logins per source in a sliding window. `record` returns the count when it reaches
 * `maxFailures` (the source is then forgotten: it is blocked), else undefined.
 */
export function createFailureCounter(opts: {
  maxFailures: number;
  windowMs: number;
  now?: () => number;
}) {
  const now = opts.now ?? Date.now;
  const failures = new Map<string, number[]>();
  return {
    record(source: string): number | undefined {
      const t = now();
      const recent = (failures.get(source) ?? []).filter((at) => t - at < opts.windowMs);
      recent.push(t);
      if (recent.length >= opts.maxFailures) {
        failures.delete(source);
        return recent.length;
      }
      failures.set(source, recent);
      // Bounded memory under a spray from many addresses: old sources go first.
      if (failures.size > 10_000) failures.delete(failures.keys().next().value!);
      return undefined;
    },
  };
}

/** Calls `onLine` for every complete line of `stream`, without taking it from its other readers. */
export function tapLines(stream: Readable | null | undefined, onLine: (line: string) => void) {
  if (!stream) return;
  let buffered = '';
  stream.on('data', (chunk: Buffer | string) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    if (buffered.length > 1_000_000) buffered = '';
    for (const line of lines) onLine(line);
  });
}

export interface SipEdge {
  /** Whether the nftables table is in place (false: dev without nft, warned). */
  active: boolean;
  /** Watches a livekit-sip process's output for failed logins. */
  watch(streams: Array<Readable | null | undefined>): void;
  /** Stops watching; removes the table unless `keepTable` (a crashed gateway about to restart keeps its blocks). */
  stop(opts?: { keepTable?: boolean }): void;
}

type GatewayConfig = Pick<SwitchboardConfig, 'deployment' | 'sip' | 'provisioning' | 'profile'>;

/**
 * Loads the edge and starts its watchers: failed logins from livekit-sip's log lines, and sources
 * the kernel marked as flooders (polled, to log each once). Every log line names the source address
 * and never the caller. Without nft: an error under pilot or `sip.edge.enabled: true`, else a warning.
 */
export async function startSipEdge(opts: {
  config: GatewayConfig;
  logger: Logger;
  pollMs?: number;
  /** Loads the table; nftables by default (a test passes one that fails, as without root). */
  apply?: (config: GatewayConfig) => Promise<void>;
}): Promise<SipEdge> {
  const { config } = opts;
  const edge = config.sip.edge;
  const log = opts.logger.child({ component: 'sip-edge' });
  const off: SipEdge = { active: false, watch: () => undefined, stop: () => undefined };
  if (edge.enabled === false) return off;
  try {
    await (opts.apply ?? applyEdge)(config);
  } catch (err) {
    if (edge.enabled === true || config.profile === 'pilot') throw err;
    log.warn(
      { err: err instanceof EdgeError ? err.message : String(err) },
      'SIP edge off: no per-source rate limit or login lockout (needs nftables and CAP_NET_ADMIN)',
    );
    return off;
  }
  log.info(
    {
      table: `inet ${edgeTable(config.deployment)}`,
      maxAuthFailures: edge.maxAuthFailures,
      blockSeconds: edge.blockSeconds,
      packetsPerSecond: edge.packetsPerSecond,
    },
    'SIP edge loaded',
  );

  const counter = createFailureCounter({
    maxFailures: edge.maxAuthFailures,
    windowMs: edge.failureWindowSeconds * 1000,
  });
  const onLine = (line: string) => {
    const source = authFailureSource(line);
    if (!source) return;
    const failures = counter.record(source);
    if (failures === undefined) return;
    blockSource(config.deployment, source, edge.blockSeconds).then(
      () =>
        log.warn(
          {
            source,
            failures,
            windowSeconds: edge.failureWindowSeconds,
            blockSeconds: edge.blockSeconds,
          },
          'SIP source blocked after failed digest logins',
        ),
      (err: unknown) => log.error({ source, err: String(err) }, 'could not block SIP source'),
    );
  };

  // The kernel adds flooders by itself; each is logged once per block.
  const seen = new Map<string, number>();
  let polling = false;
  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      const now = Date.now();
      for (const { address, expires } of await listSources(config.deployment, 'flooders')) {
        if ((seen.get(address) ?? 0) > now) continue;
        seen.set(address, now + expires);
        log.warn(
          {
            source: address,
            packetsPerSecond: edge.packetsPerSecond,
            blockSeconds: edge.floodBlockSeconds,
          },
          'SIP source over the packet rate: dropped',
        );
      }
      for (const [address, until] of seen) if (until <= now) seen.delete(address);
    } catch {
      // The table is gone (stopping) or nft is busy: the next poll sees it.
    } finally {
      polling = false;
    }
  };
  const timer = setInterval(() => void poll(), opts.pollMs ?? 2000);
  timer.unref();

  return {
    active: true,
    watch: (streams) => streams.forEach((s) => tapLines(s, onLine)),
    stop({ keepTable = false } = {}) {
      clearInterval(timer);
      if (!keepTable) removeEdge(config.deployment);
    },
  };
}
