import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pseudonymizerFromConfig } from '../admission/index.js';
import type { SwitchboardConfig } from '../config/index.js';
import { assertRecordFree, createScrubbingStream } from '../privacy/index.js';
import { LOG_SINK_DEFAULTS, runLogSink } from '../roles/log-sink.js';
import {
  componentContext,
  livekitServerYaml,
  livekitSipYaml,
  startAgentWorker,
  startControlPlane,
  startGateway,
  startLivekitServer,
  NEVER,
  type ComponentContext,
  type Part,
} from '../stack/index.js';
import { createLogger } from '../telemetry/index.js';
import { parseCommand } from './args.js';
import type { Command } from './command.js';
import { EXIT } from './exit-codes.js';

/** Each long-running role is a part of the stack that `up` composes. */
const ROLES: Record<string, (ctx: ComponentContext) => Promise<Part>> = {
  'livekit-server': startLivekitServer,
  sip: startGateway,
  agent: startAgentWorker,
  'control-plane': startControlPlane,
};

const ROLE_NAMES = [...Object.keys(ROLES), 'config', 'log-sink'];

/** The generated YAML of livekit-server and livekit-sip, for the official images to read. */
function writeGeneratedConfigs(config: SwitchboardConfig, out: string): void {
  mkdirSync(out, { recursive: true, mode: 0o700 });
  writeFileSync(join(out, 'livekit-server.yaml'), livekitServerYaml(config), { mode: 0o600 });
  writeFileSync(join(out, 'livekit-sip.yaml'), livekitSipYaml(config), { mode: 0o600 });
}

/** Resolves on SIGTERM or SIGINT (systemd, compose, Ctrl-C), or when the role breaks. */
function stopRequested(crashed: Promise<string>): Promise<string> {
  return new Promise((done) => {
    process.once('SIGINT', () => done('SIGINT'));
    process.once('SIGTERM', () => done('SIGTERM'));
    void crashed.then(done);
  });
}

export const runCommand: Command = {
  summary: `run one part as a service (systemd, compose): ${ROLE_NAMES.join(' | ')}`,
  async run(args) {
    const cmd = parseCommand(args, {
      out: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      'run-dir': { type: 'string' },
    });
    const role = cmd.positionals[0];
    if (!role || !ROLE_NAMES.includes(role) || cmd.positionals.length > 1) {
      process.stderr.write(`switchboard run: name one role: ${ROLE_NAMES.join(', ')}\n`);
      return EXIT.error;
    }
    const loaded = cmd.load();
    const { binCache } = loaded;
    let { config } = loaded;
    assertRecordFree(config);
    const port = typeof cmd.values.port === 'string' ? Number(cmd.values.port) : undefined;
    if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
      process.stderr.write(`switchboard run: --port ${cmd.values.port} is not a TCP port\n`);
      return EXIT.error;
    }
    // Several workers on one host (a graceful deploy starts the new one beside the old): each
    // needs its own health port.
    if (role === 'agent' && port !== undefined)
      config = { ...config, agent: { ...config.agent, healthPort: port } };

    if (role === 'config') {
      const out = typeof cmd.values.out === 'string' ? resolve(cmd.values.out) : undefined;
      if (!out) {
        process.stderr.write('switchboard run config: --out <dir> says where to write the YAML\n');
        return EXIT.error;
      }
      writeGeneratedConfigs(config, out);
      return EXIT.ok;
    }

    // Everything a role prints, its children's output included, passes the number scrubber.
    const out = createScrubbingStream(pseudonymizerFromConfig(config.admission));
    out.pipe(process.stdout);
    process.stdout.on('error', () => undefined);
    const logger = createLogger({ name: `switchboard-${role}` }, out);

    if (role === 'log-sink') {
      const sink = await runLogSink(config, {
        host: typeof cmd.values.host === 'string' ? cmd.values.host : LOG_SINK_DEFAULTS.host,
        port: port ?? LOG_SINK_DEFAULTS.port,
      });
      logger.info({ port: sink.port }, 'log sink listening');
      await stopRequested(NEVER);
      await sink.close();
      return EXIT.ok;
    }

    // Generated configs and the worker's config file: private to this service.
    const runDir =
      typeof cmd.values['run-dir'] === 'string'
        ? resolve(cmd.values['run-dir'])
        : mkdtempSync(join(tmpdir(), `switchboard-${role}-`));
    const ctx = componentContext({
      config,
      confDir: join(runDir, 'config'),
      logger,
      binCache,
      out,
    });
    const running = await ROLES[role]!(ctx);
    logger.info({ role }, 'running');
    const reason = await stopRequested(running.crashed);
    logger.info({ role, reason }, 'stopping');
    await running.stop();
    return reason === 'SIGINT' || reason === 'SIGTERM' ? EXIT.ok : EXIT.error;
  },
};
