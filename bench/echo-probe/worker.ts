/**
 * The echo probe's worker: registers with LiveKit as `switchboard-echo-probe` (the bench config's
 * `echo` dispatch rule names it) and runs `agent.ts` in a job process per call, as the real
 * agent's worker does, so a probe call pays the same process and FFI hops as a reply.
 *
 *   npx tsx bench/echo-probe/worker.ts --url ws://127.0.0.1:7880 --api-key K --api-secret S
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AgentServer, ServerOptions, initializeLogger } from '@livekit/agents';

export const ECHO_PROBE_AGENT = 'switchboard-echo-probe';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'ws://127.0.0.1:7880' },
    'api-key': { type: 'string' },
    'api-secret': { type: 'string' },
    // Not the agent worker's health port: both run on one machine.
    port: { type: 'string', default: '18610' },
  },
});

// Info, so the bench sees "registered worker" before it places the first echo call.
initializeLogger({ pretty: false, level: 'info' });
const server = new AgentServer(
  new ServerOptions({
    agent: fileURLToPath(new URL('./agent.ts', import.meta.url)),
    agentName: ECHO_PROBE_AGENT,
    wsURL: values.url,
    apiKey: values['api-key'],
    apiSecret: values['api-secret'],
    production: true,
    host: '127.0.0.1',
    port: Number(values.port),
    numIdleProcesses: 1,
    // agents-js's default load is the machine's CPU: on a busy bench box the probe would refuse
    // its calls ("no servers available"). It takes one call at a time, so it is never full.
    loadFunc: async () => 0,
    loadThreshold: 1,
    logLevel: 'info',
  }),
);
const stop = async () => {
  await server.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
await server.run();
