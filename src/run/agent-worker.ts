import { fileURLToPath } from 'node:url';
import { AgentServer, ServerOptions, initializeLogger, log } from '@livekit/agents';
import { RoomServiceClient } from 'livekit-server-sdk';
import { serveLines } from '../agent/lines-service.js';
import { livekitHttpUrl, loadConfig } from '../config/index.js';
import { createLogger } from '../telemetry/index.js';
import { watchJobs } from './job-watch.js';

/**
 * The agent worker process. It registers with LiveKit under the agent name used for explicit
 * dispatch and forks one process per call, which runs `job.ts`.
 */
async function runWorker(): Promise<void> {
  const { config } = loadConfig();
  // Read by agents-js in this process and in the job processes it forks.
  process.env.LIVEKIT_AGENTS_LOOP_BLOCK_WARN_MS = String(config.agent.loopBlockWarnMs);
  initializeLogger({ pretty: false, level: config.agent.logLevel });
  // Before the first job process is forked: each one takes the lines as it warms up.
  const lines = await serveLines(
    config,
    createLogger({ name: 'agent-worker', level: config.agent.logLevel }),
  );
  const server = new AgentServer(
    new ServerOptions({
      agent: fileURLToPath(new URL('./agent-job.js', import.meta.url)),
      agentName: config.agent.name,
      wsURL: config.livekit.url,
      apiKey: config.livekit.apiKey,
      apiSecret: config.livekit.apiSecret,
      production: true,
      host: config.agent.healthHost,
      port: config.agent.healthPort,
      numIdleProcesses: config.agent.idleProcesses,
      // Without an explicit load the worker never reports itself full; with the default CPU load
      // it refuses calls whenever the machine is busy.
      loadFunc: async (worker) => worker.activeJobs.length / config.agent.maxCallsPerWorker,
      loadThreshold: 1,
      drainTimeout: config.agent.drainTimeoutSeconds * 1000,
      logLevel: config.agent.logLevel,
    }),
  );

  const { url, apiKey, apiSecret } = config.livekit;
  const stopWatching = watchJobs(
    server,
    new RoomServiceClient(livekitHttpUrl(url), apiKey, apiSecret),
    (fields, msg) => log().warn(fields, msg),
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log().info({ signal }, 'draining worker');
    try {
      await server.drain(config.agent.drainTimeoutSeconds * 1000);
    } catch (err) {
      log().warn({ err }, 'drain did not finish');
    }
    stopWatching();
    await lines.close();
    await server.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  await server.run();
}

runWorker().catch((err: unknown) => {
  process.stderr.write(`agent worker failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
