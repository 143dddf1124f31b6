import { createWriteStream, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pseudonymizerFromConfig } from '../admission/index.js';
import type { SwitchboardConfig } from '../config/index.js';
import { assertRecordFree, createScrubbingStream } from '../privacy/index.js';
import { PortsInUseError, startStack } from '../stack/index.js';
import { createLogger, type Logger } from '../telemetry/index.js';
import { parseCommand } from './args.js';
import type { Command } from './command.js';
import { softphoneSettings } from './softphone.js';

/**
 * `up`'s own log (control plane, call flows, reconciler) goes where every child's does,
 * `<run dir>/logs/up.log`, through the same phone-number scrubber, and to stdout as well.
 */
function upLogger(config: SwitchboardConfig, runDir: string): Logger {
  const logDir = join(runDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const scrubbed = createScrubbingStream(pseudonymizerFromConfig(config.admission));
  const file = createWriteStream(join(logDir, 'up.log'), { flags: 'a' });
  // Whoever reads stdout may go away first (a closed terminal, a test runner that exited): `up`
  // must still stop its children and keep writing its log file. Piping into a dead stdout would
  // stall the file too (backpressure that never drains), and EPIPE must not kill `up`.
  let stdoutOpen = true;
  process.stdout.on('error', () => (stdoutOpen = false));
  scrubbed.on('data', (chunk: Buffer) => {
    file.write(chunk);
    if (stdoutOpen) process.stdout.write(chunk);
  });
  scrubbed.on('end', () => file.end());
  return createLogger({ name: 'switchboard-up' }, scrubbed);
}

export const upCommand: Command = {
  summary: 'run the whole local stack in the foreground (Ctrl-C stops it cleanly)',
  async run(args) {
    const cmd = parseCommand(args, { 'run-dir': { type: 'string' } });
    const { config, source, binCache } = cmd.load();
    // The line is record-free by design: refuse any config that would record audio.
    assertRecordFree(config);
    const runDir = resolve(
      typeof cmd.values['run-dir'] === 'string' ? cmd.values['run-dir'] : '.switchboard',
    );
    const logger = upLogger(config, runDir);
    logger.info({ config: source, runDir }, 'starting stack');

    let stack;
    try {
      stack = await startStack({ config, runDir, logger, binCache });
    } catch (err) {
      if (err instanceof PortsInUseError) {
        process.stderr.write(`switchboard up: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
    process.stdout.write(softphoneSettings(config, stack.logDir));

    const reason = await new Promise<string>((done) => {
      process.once('SIGINT', () => done('SIGINT'));
      process.once('SIGTERM', () => done('SIGTERM'));
    });
    logger.info({ reason }, 'stopping stack');
    // A second Ctrl-C or SIGTERM while draining kills everything at once, never leaving orphans.
    const force = () => {
      logger.warn('second signal: killing every process now');
      stack.kill();
      process.exit(130);
    };
    process.once('SIGINT', force);
    process.once('SIGTERM', force);
    await stack.stop();
    logger.info('stopped');
    return reason === 'SIGINT' || reason === 'SIGTERM' ? 0 : 1;
  },
};
