import { ConfigError, type SwitchboardConfig } from '../config/index.js';
import {
  apply,
  createProvisioningClient,
  desiredState,
  plan,
  planToJson,
  renderApplyResult,
  renderPlan,
  type Plan,
} from '../provisioning/index.js';
import { parseCommand } from './args.js';
import type { Command } from './commands.js';

const EXIT_OK = 0;
const EXIT_ERROR = 1;
const EXIT_CHANGES = 2;

const COMMON = {
  json: { type: 'boolean' },
  prune: { type: 'boolean' },
  /** Overrides livekit.url for this run, e.g. for a LiveKit on another host. */
  'livekit-url': { type: 'string' },
} as const;

interface Loaded {
  config: SwitchboardConfig;
  values: Record<string, string | boolean | undefined>;
}

function load(args: string[], extra: Record<string, { type: 'boolean' }> = {}): Loaded {
  const parsed = parseCommand(args, { ...COMMON, ...extra });
  if (parsed.positionals.length > 0) {
    throw new Error(`unexpected argument "${parsed.positionals[0]}"`);
  }
  return { config: parsed.load().config, values: parsed.values };
}

async function planFor(
  loaded: Loaded,
): Promise<{ found: Plan; client: ReturnType<typeof createProvisioningClient> }> {
  const { config, values } = loaded;
  const url =
    typeof values['livekit-url'] === 'string' ? values['livekit-url'] : config.livekit.url;
  const client = createProvisioningClient({
    url,
    apiKey: config.livekit.apiKey,
    apiSecret: config.livekit.apiSecret,
  });
  try {
    return { found: await plan(desiredState(config), client), client };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`cannot read SIP objects from LiveKit at ${url}: ${reason}; is the stack up?`);
  }
}

/** Config errors and unreachable LiveKit become exit 1 with the message on stderr. */
async function guarded(body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    const message = err instanceof ConfigError || err instanceof Error ? err.message : String(err);
    process.stderr.write(`switchboard: ${message}\n`);
    return EXIT_ERROR;
  }
}

export const provisionPlanCommand: Command = {
  summary: 'show how LiveKit trunks and dispatch rules differ from the config (exit 2: changes)',
  run: (args) =>
    guarded(async () => {
      const loaded = load(args);
      const { found } = await planFor(loaded);
      process.stdout.write(
        loaded.values.json
          ? `${JSON.stringify(planToJson(found), null, 2)}\n`
          : renderPlan(found, { prune: loaded.values.prune === true }),
      );
      return found.hasChanges ? EXIT_CHANGES : EXIT_OK;
    }),
};

export const provisionApplyCommand: Command = {
  summary: 'make LiveKit match the config [--prune] [--force]; never touches unmanaged objects',
  run: (args) =>
    guarded(async () => {
      const loaded = load(args, { force: { type: 'boolean' } });
      const { found, client } = await planFor(loaded);
      const result = await apply(found, client, {
        prune: loaded.values.prune === true,
        force: loaded.values.force === true,
      });
      if (loaded.values.json) {
        process.stdout.write(`${JSON.stringify({ plan: planToJson(found), result }, null, 2)}\n`);
      } else {
        for (const warning of found.warnings) process.stderr.write(`warning: ${warning}\n`);
        process.stdout.write(renderApplyResult(result));
      }
      return result.ok ? EXIT_OK : EXIT_ERROR;
    }),
};
