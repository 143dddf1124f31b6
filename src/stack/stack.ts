import { mkdirSync, writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { pseudonymizerFromConfig } from '../admission/index.js';
import { createCallflowApp } from '../callflow/index.js';
import { openCallEvents } from '../agent/call/events.js';
import { createConsole } from '../console/index.js';
import { startCallEventReader } from '../control-plane/call-events-reader.js';
import { registerCertificateExpiry } from '../telemetry/certificate-metrics.js';
import { startReconciler } from '../provisioning/index.js';
import {
  childProcessEnv,
  internalPorts,
  livekitHttpUrl,
  RESOLVED_CONFIG_FILE_ENV,
  writeResolvedConfig,
  type SwitchboardConfig,
} from '../config/index.js';
import { createScrubbingStream, createTranscriptStore } from '../privacy/index.js';
import { createMessageStore, startWebhookDelivery } from '../voicemail/index.js';
import {
  createCallRecovery,
  createControlPlaneApp,
  unhandledCallRecords,
} from '../control-plane/index.js';
import type { Logger } from '../telemetry/index.js';
import { requireBinary } from './binaries.js';
import { livekitServerYaml, localHost } from './generated-configs.js';
import { spawnManaged, type ManagedProcess } from './managed-process.js';
import { takenPorts, type PortClaim } from './ports.js';
import { NEVER, processPart, supervise, type Part } from './supervisor.js';
import { sipHealthUrls, startSipGateway, type SipGateway } from './sip-gateway.js';
import { ensureRedis } from './redis.js';
import { probeRedis } from './redis-probe.js';
import { httpOk, sipHealthy, waitFor } from './wait.js';

export class PortsInUseError extends Error {
  constructor(
    readonly taken: PortClaim[],
    options?: ErrorOptions,
  ) {
    super(
      `ports already in use: ${taken.map((t) => `${t.port}/${t.protocol} (${t.field})`).join(', ')}. ` +
        'Is another `switchboard up` running? Stop it, or change those fields in switchboard.yaml.',
      options,
    );
    this.name = 'PortsInUseError';
  }
}

export interface StackOptions {
  config: SwitchboardConfig;
  /** Holds generated configs and every process's log file. */
  runDir: string;
  logger: Logger;
  /** Where scripts/install.sh cached livekit-server and livekit-sip (SWITCHBOARD_BIN_CACHE); default ~/.cache/switchboard/bin. */
  binCache?: string;
  /**
   * The environment every child starts with (redis, livekit-server, livekit-sip, the worker).
   * Default: the minimal one from childProcessEnv(), never `up`'s whole environment.
   */
  childEnv?: Record<string, string>;
}

export interface RunningStack {
  logDir: string;
  stop(): Promise<void>;
  /** Kills every process group at once, without draining: the second Ctrl-C. */
  kill(): void;
}

export function portClaims(config: SwitchboardConfig): PortClaim[] {
  const { sip } = config;
  // With TLS every livekit-sip port is internal (sip-redirect.ts); the public ones stay unbound.
  const sipPorts: PortClaim[] = sip.tls
    ? [
        ...internalPorts(sip.internalPortBase).all.map((port) => ({
          port,
          protocol: 'tcp' as const,
          field: 'sip.internalPortBase',
          host: sip.host,
        })),
        ...internalPorts(sip.internalPortBase).plain.map((port) => ({
          port,
          protocol: 'udp' as const,
          field: 'sip.internalPortBase',
          host: sip.host,
        })),
        ...internalPorts(sip.internalPortBase).health.map((port) => ({
          port,
          protocol: 'tcp' as const,
          field: 'sip.internalPortBase',
        })),
      ]
    : [
        { port: sip.port, protocol: 'udp', field: 'sip.port', host: sip.host },
        { port: sip.port, protocol: 'tcp', field: 'sip.port', host: sip.host },
      ];
  return [
    { port: config.livekit.port, protocol: 'tcp', field: 'livekit.port' },
    { port: config.livekit.rtcTcpPort, protocol: 'tcp', field: 'livekit.rtcTcpPort' },
    ...sipPorts,
    ...(sip.tls
      ? []
      : [{ port: sip.healthPort, protocol: 'tcp' as const, field: 'sip.healthPort' }]),
    { port: config.agent.healthPort, protocol: 'tcp', field: 'agent.healthPort' },
    {
      port: config.controlPlane.port,
      protocol: 'tcp',
      field: 'controlPlane.port',
      host: config.controlPlane.host,
    },
  ];
}

/** What each part needs to start: the config, where its files go, and how its processes spawn. */
export interface ComponentContext {
  config: SwitchboardConfig;
  /** Generated configs (0700). */
  confDir: string;
  logger: Logger;
  binCache?: string;
  /** The environment every child starts with: never the caller's whole environment. */
  childEnv: Record<string, string>;
  /** Starts a child whose output passes the number scrubber. */
  spawn: (
    opts: { name: string; command: string; args: string[]; priority?: number },
    env?: Record<string, string>,
  ) => ManagedProcess;
}

/** A context whose children log to `<logDir>/<name>.log` (up) or to `out` (a service's stdout). */
export function componentContext(opts: {
  config: SwitchboardConfig;
  confDir: string;
  logger: Logger;
  binCache?: string;
  childEnv?: Record<string, string>;
  logDir?: string;
  out?: NodeJS.WritableStream;
}): ComponentContext {
  const childEnv = opts.childEnv ?? childProcessEnv();
  mkdirSync(opts.confDir, { recursive: true, mode: 0o700 });
  // livekit-server and agents-js log room names and identities, which carry the caller's number
  // with `individual` rules; livekit-sip logs it on failed calls. Numbers become pseudonyms first.
  const pseudonymizer = pseudonymizerFromConfig(opts.config.admission);
  return {
    config: opts.config,
    confDir: opts.confDir,
    logger: opts.logger,
    binCache: opts.binCache,
    childEnv,
    spawn: (spawnOpts, env = childEnv) =>
      spawnManaged({
        ...spawnOpts,
        env,
        logDir: opts.logDir,
        out: opts.out,
        logger: opts.logger,
        filter: () => createScrubbingStream(pseudonymizer),
      }),
  };
}

/**
 * The media relays (livekit-server, livekit-sip) run above the agents' priority where that is
 * allowed: every call's audio passes through them, and starved by agent work (a burst on two
 * cores) they made every caller's audio choppy, refused callers' prompts included. A job process
 * takes its call at -5 (src/run/agent-job.ts), so the relays sit at -10, three times its weight.
 */
const MEDIA_PRIORITY = -10;

/** livekit-server from its generated YAML, waited on until it answers. */
export async function startLivekitServer(ctx: ComponentContext): Promise<Part> {
  const conf = join(ctx.confDir, 'livekit-server.yaml');
  writeFileSync(conf, livekitServerYaml(ctx.config), { mode: 0o600 });
  const proc = ctx.spawn({
    name: 'livekit-server',
    command: requireBinary('livekit-server', ctx.binCache),
    args: ['--config', conf],
    priority: MEDIA_PRIORITY,
  });
  try {
    await waitFor(
      'livekit-server',
      () => httpOk(new URL('/', livekitHttpUrl(ctx.config.livekit.url)).href),
      30_000,
    );
  } catch (err) {
    await proc.stop();
    throw err;
  }
  ctx.logger.info({ component: 'livekit-server' }, 'healthy');
  return processPart(proc);
}

/** The SIP gateway (livekit-sip, in generations with TLS), waited on until healthy. */
export async function startGateway(ctx: ComponentContext): Promise<SipGateway> {
  const gateway = await startSipGateway({
    config: ctx.config,
    confDir: ctx.confDir,
    spawn: (name, args, env) =>
      ctx.spawn(
        {
          name,
          command: requireBinary('livekit-sip', ctx.binCache),
          args,
          priority: MEDIA_PRIORITY,
        },
        env,
      ),
    env: ctx.childEnv,
    logger: ctx.logger,
  });
  ctx.logger.info({ component: 'livekit-sip' }, 'healthy');
  return gateway;
}

/**
 * The agent worker, reading the config from a 0600 file whose path is all its environment holds
 * (removed when the worker exits or is killed). Stopping it lets its calls drain.
 */
export async function startAgentWorker(ctx: ComponentContext): Promise<Part> {
  const workerEntry = fileURLToPath(new URL('../run/agent-worker.js', import.meta.url));
  // Only the file's path is in the worker's environment, so no grandchild (espeak-ng,
  // pocketsphinx) inherits a secret.
  const resolved = writeResolvedConfig(ctx.confDir, ctx.config);
  const proc = ctx.spawn(
    { name: 'agent-worker', command: process.execPath, args: [workerEntry] },
    { ...ctx.childEnv, [RESOLVED_CONFIG_FILE_ENV]: resolved.path },
  );
  try {
    await waitFor('agent worker', () => httpOk(agentHealthUrl(ctx.config)), 60_000, 250);
  } catch (err) {
    await proc.stop();
    resolved.remove();
    throw err;
  }
  ctx.logger.info({ component: 'agent-worker', agentName: ctx.config.agent.name }, 'registered');
  void proc.exited.then(resolved.remove);
  const part = processPart(proc, ctx.config.agent.drainTimeoutSeconds * 1000 + 5000);
  return {
    ...part,
    kill: () => {
      part.kill();
      resolved.remove();
    },
  };
}

export const agentHealthUrl = (config: SwitchboardConfig) =>
  `http://${localHost(config.agent.healthHost)}:${config.agent.healthPort}/`;

export const controlPlaneHealthUrl = (config: SwitchboardConfig) =>
  `http://${localHost(config.controlPlane.host)}:${config.controlPlane.port}/healthz`;

/** The SIP gateway is healthy when a generation that may serve answers. */
export async function anyHealthy(urls: string[]): Promise<boolean> {
  const results = await Promise.all(urls.map((u) => sipHealthy(u).catch(() => false)));
  return results.some(Boolean);
}

/**
 * Carrier webhooks, /healthz, /readyz and /metrics, plus the provisioning reconciler.
 */
export async function startControlPlane(ctx: ComponentContext): Promise<Part> {
  const { config, logger } = ctx;
  // Trunks and rules live in Redis: reconciled now, and again whenever they drift or Redis is wiped.
  const reconciler = await startReconciler({ config, logger });
  const app = createControlPlaneApp([
    { name: 'redis', check: () => probeRedis(config.redis.url, 500) },
    { name: 'livekit', check: () => httpOk(new URL('/', livekitHttpUrl(config.livekit.url)).href) },
    { name: 'sip', check: () => anyHealthy(sipHealthUrls(config)) },
    { name: 'agent', check: () => httpOk(agentHealthUrl(config)) },
  ]);
  const pseudonymizer = pseudonymizerFromConfig(config.admission);
  // Records calls no agent took; every command bounded, so a Redis outage costs a log line.
  const redis = new Redis(config.redis.url, { commandTimeout: 2_000, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  // A Twilio caller nobody can take leaves a message (text only) in the voicemail store.
  const messages = createMessageStore({
    redis,
    privacy: config.privacy,
    voicemail: config.voicemail,
    logger,
    pseudonymizer,
  });
  app.route('/', createCallflowApp({ config, pseudonymizer, logger, messages }));
  const unhandled = unhandledCallRecords({
    store: createTranscriptStore({ redis, config: config.privacy, logger, pseudonymizer }),
    pseudonymizer,
    language: config.agent.language,
    logger,
    openEvents: (callId, trunkId) =>
      openCallEvents(redis, { deployment: config.deployment, callId, trunkId }),
  });
  // New voicemail messages go to voicemail.webhook, signed; swept from the store, so none is lost.
  const { webhook } = config.voicemail;
  const webhookDelivery = webhook
    ? startWebhookDelivery({ store: messages, webhook, logger })
    : undefined;
  // Every worker's calls, from the call-event stream: /metrics and the live-call list.
  const events = await startCallEventReader({
    config,
    logger,
    // Logged by the delivery itself; the sweep tries again.
    onMessage: (id) => void webhookDelivery?.deliverSoon(id).catch(() => undefined),
  });
  app.route(
    '/',
    createCallRecovery({ config, logger, unhandled, onCallerLeft: events.callerLeft }).app,
  );
  app.route(
    '/console',
    createConsole({
      config,
      logger,
      redis,
      events: events.view,
      provisioning: () => reconciler.status(),
    }),
  );
  registerCertificateExpiry(config);
  const server: ServerType = serve({
    fetch: app.fetch,
    hostname: config.controlPlane.host,
    port: config.controlPlane.port,
  });
  const close = async () => {
    await reconciler.stop();
    await events.stop();
    await webhookDelivery?.stop();
    redis.disconnect();
    await new Promise((r) => server.close(() => r(undefined)));
  };
  try {
    await waitFor('control plane', () => httpOk(controlPlaneHealthUrl(config)), 5_000);
  } catch (err) {
    await close();
    throw err;
  }
  logger.info({ component: 'control-plane', port: config.controlPlane.port }, 'healthy');
  return { stop: close, kill: () => undefined, crashed: NEVER };
}

/**
 * Starts Redis (or reuses it), livekit-server, the SIP gateway, the agent worker and the control
 * plane with provisioning, each waited on until healthy. On any failure, what was started is
 * stopped again.
 */
export async function startStack({
  config,
  runDir,
  logger,
  binCache,
  childEnv = childProcessEnv(),
}: StackOptions): Promise<RunningStack> {
  const taken = await takenPorts(portClaims(config));
  if (taken.length > 0) throw new PortsInUseError(taken);

  const logDir = join(runDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const ctx = componentContext({
    config,
    confDir: join(runDir, 'config'),
    logger,
    binCache,
    childEnv,
    logDir,
  });

  // Each part as it starts: stopped in reverse order, killed all at once. A part that crashes is
  // restarted (supervisor.ts) instead of taking the stack down.
  const parts: Part[] = [];
  const stop = async () => {
    for (const part of [...parts].reverse()) await part.stop();
    parts.length = 0;
  };

  try {
    const redis = await ensureRedis(config.redis.url, logDir, logger, childEnv);
    if (redis) {
      let first: ManagedProcess | undefined = redis;
      const startRedis = async (): Promise<Part> => {
        const proc = first ?? (await ensureRedis(config.redis.url, logDir, logger, childEnv));
        first = undefined;
        // Another Redis took the address meanwhile: use it, nothing of ours to watch.
        return proc ? processPart(proc) : { stop: async () => {}, kill: () => {}, crashed: NEVER };
      };
      parts.push(await supervise('redis', startRedis, logger));
    }
    parts.push(await supervise('livekit-server', () => startLivekitServer(ctx), logger));
    parts.push(await supervise('livekit-sip', () => startGateway(ctx), logger));
    parts.push(await supervise('agent-worker', () => startAgentWorker(ctx), logger));
    parts.push(await startControlPlane(ctx));
  } catch (err) {
    await stop();
    throw err;
  }

  const kill = () => {
    for (const part of parts) part.kill();
  };
  return { logDir, stop, kill };
}
