import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { pseudonymizerFromConfig } from '../admission/index.js';
import { createCallflowApp } from '../callflow/index.js';
import { startReconciler, type Reconciler } from '../provisioning/index.js';
import {
  childProcessEnv,
  livekitHttpUrl,
  RESOLVED_CONFIG_FILE_ENV,
  writeResolvedConfig,
  type SwitchboardConfig,
} from '../config/index.js';
import { createScrubbingStream } from '../privacy/index.js';
import { createControlPlaneApp } from '../control-plane/index.js';
import type { Logger } from '../telemetry/index.js';
import { requireBinary, type GoBinary } from './binaries.js';
import { livekitServerYaml, livekitSipYaml } from './generated-configs.js';
import { spawnManaged, type ManagedProcess } from './managed-process.js';
import { takenPorts, type PortClaim } from './ports.js';
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
  /** Resolves when any supervised process exits by itself: the stack is then broken. */
  crashed: Promise<string>;
  stop(): Promise<void>;
  /** Kills every process group at once, without draining: the second Ctrl-C. */
  kill(): void;
}

export function portClaims(config: SwitchboardConfig): PortClaim[] {
  return [
    { port: config.livekit.port, protocol: 'tcp', field: 'livekit.port' },
    { port: config.livekit.rtcTcpPort, protocol: 'tcp', field: 'livekit.rtcTcpPort' },
    { port: config.sip.port, protocol: 'udp', field: 'sip.port' },
    { port: config.sip.port, protocol: 'tcp', field: 'sip.port' },
    { port: config.sip.healthPort, protocol: 'tcp', field: 'sip.healthPort' },
    { port: config.agent.healthPort, protocol: 'tcp', field: 'agent.healthPort' },
    { port: config.controlPlane.port, protocol: 'tcp', field: 'controlPlane.port' },
  ];
}

/**
 * Starts Redis (or reuses it), livekit-server, livekit-sip, provisioning, the agent worker and the
 * control plane, each waited on until healthy. On any failure, what was started is stopped again.
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
  const confDir = join(runDir, 'config');
  mkdirSync(logDir, { recursive: true });
  mkdirSync(confDir, { recursive: true, mode: 0o700 });

  const started: ManagedProcess[] = [];
  // livekit-server and agents-js log room names and identities, which carry the caller's number
  // with `individual` rules; livekit-sip logs it on failed calls. Numbers become pseudonyms first.
  const pseudonymizer = pseudonymizerFromConfig(config.admission);
  const scrub = () => createScrubbingStream(pseudonymizer);
  const spawn = (
    opts: Omit<Parameters<typeof spawnManaged>[0], 'logDir' | 'logger' | 'filter' | 'env'>,
    env: Record<string, string> = childEnv,
  ) => spawnManaged({ ...opts, env, logDir, logger, filter: scrub });
  // The worker and its job processes read the config, secrets included, from this file; only its
  // path is in their environment, so no grandchild (espeak-ng, pocketsphinx) inherits a secret.
  let resolvedConfig: { path: string; remove: () => void } | undefined;
  let controlPlane: ServerType | undefined;
  let reconciler: Reconciler | undefined;
  const stop = async () => {
    await reconciler?.stop();
    reconciler = undefined;
    if (controlPlane) await new Promise((r) => controlPlane!.close(() => r(undefined)));
    controlPlane = undefined;
    // In reverse start order; `started` stays whole meanwhile, so kill() can still reach everything.
    for (const proc of [...started].reverse()) {
      const grace =
        proc.name === 'agent-worker' ? config.agent.drainTimeoutSeconds * 1000 + 5000 : 5000;
      await proc.stop(grace);
    }
    started.length = 0;
    resolvedConfig?.remove();
  };

  try {
    const redis = await ensureRedis(config.redis.url, logDir, logger, childEnv);
    if (redis) started.push(redis);

    /** Writes a Go service's generated YAML, starts it, and waits until its health check passes. */
    const startGoService = async (
      name: GoBinary,
      yaml: string,
      healthy: () => Promise<boolean>,
    ) => {
      const conf = join(confDir, `${name}.yaml`);
      writeFileSync(conf, yaml, { mode: 0o600 });
      started.push(
        spawn({ name, command: requireBinary(name, binCache), args: ['--config', conf] }),
      );
      await waitFor(name, healthy, 30_000);
      logger.info({ component: name }, 'healthy');
    };
    await startGoService('livekit-server', livekitServerYaml(config), () =>
      httpOk(`http://127.0.0.1:${config.livekit.port}/`),
    );
    await startGoService('livekit-sip', livekitSipYaml(config), () =>
      sipHealthy(`http://127.0.0.1:${config.sip.healthPort}/`),
    );

    // Trunks and rules live in Redis: reconciled now, and again whenever they drift or Redis is wiped.
    reconciler = await startReconciler({ config, logger });

    const workerEntry = fileURLToPath(new URL('../run/agent-worker.js', import.meta.url));
    resolvedConfig = writeResolvedConfig(confDir, config);
    started.push(
      spawn(
        { name: 'agent-worker', command: process.execPath, args: [workerEntry] },
        { ...childEnv, [RESOLVED_CONFIG_FILE_ENV]: resolvedConfig.path },
      ),
    );
    await waitFor(
      'agent worker',
      () => httpOk(`http://127.0.0.1:${config.agent.healthPort}/`),
      60_000,
      250,
    );
    logger.info({ component: 'agent-worker', agentName: config.agent.name }, 'registered');

    const app = createControlPlaneApp([
      { name: 'redis', check: () => probeRedis(config.redis.url, 500) },
      {
        name: 'livekit',
        check: () => httpOk(new URL('/', livekitHttpUrl(config.livekit.url)).href),
      },
      { name: 'sip', check: () => sipHealthy(`http://127.0.0.1:${config.sip.healthPort}/`) },
      { name: 'agent', check: () => httpOk(`http://127.0.0.1:${config.agent.healthPort}/`) },
    ]);
    app.route(
      '/',
      createCallflowApp({
        config,
        pseudonymizer: pseudonymizerFromConfig(config.admission),
        logger,
      }),
    );
    controlPlane = serve({
      fetch: app.fetch,
      hostname: config.controlPlane.host,
      port: config.controlPlane.port,
    });
    await waitFor(
      'control plane',
      () => httpOk(`http://127.0.0.1:${config.controlPlane.port}/healthz`),
      5_000,
    );
    logger.info({ component: 'control-plane', port: config.controlPlane.port }, 'healthy');
  } catch (err) {
    await stop();
    throw err;
  }

  const crashed = Promise.race(
    started.map((proc) =>
      proc.exited.then((code) => `${proc.name} exited (${code}); see ${proc.logFile}`),
    ),
  );
  const kill = () => {
    for (const proc of started) proc.kill();
    resolvedConfig?.remove();
  };
  return { logDir, crashed, stop, kill };
}
