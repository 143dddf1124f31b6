import { resolve } from 'node:path';
import { assertRecordFree } from '../privacy/index.js';
import { PortsInUseError, startStack } from '../stack/index.js';
import { createLogger } from '../telemetry/index.js';
import { parseCommand } from './args.js';
import type { Command } from './command.js';
import { softphoneSettings } from './softphone.js';

export const upCommand: Command = {
  summary: 'run the whole local stack in the foreground (Ctrl-C stops it cleanly)',
  async run(args) {
    const cmd = parseCommand(args, { 'run-dir': { type: 'string' } });
    const { config, source } = cmd.load();
    // The line is record-free by design: refuse any config that would record audio.
    assertRecordFree(config);
    const runDir = resolve(
      typeof cmd.values['run-dir'] === 'string' ? cmd.values['run-dir'] : '.switchboard',
    );
    const logger = createLogger({ name: 'switchboard-up' });
    logger.info({ config: source, runDir }, 'starting stack');

    let stack;
    try {
      stack = await startStack({ config, runDir, logger });
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
      void stack.crashed.then((why) => done(why));
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
