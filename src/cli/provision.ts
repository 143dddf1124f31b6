import type { SwitchboardConfig } from '../config/index.js';
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
import type { Command } from './command.js';
import { EXIT } from './exit-codes.js';

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
  } catch (cause) {
    throw new Error(`cannot read SIP objects from LiveKit at ${url} (is the stack up?)`, { cause });
  }
}

/** The message, then the message of each error it wraps: `what failed: why`. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.cause === undefined ? err.message : `${err.message}: ${describe(err.cause)}`;
}

/** Config errors and unreachable LiveKit become exit 1 with the message on stderr. */
async function guarded(body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    process.stderr.write(`switchboard: ${describe(err)}\n`);
    return EXIT.error;
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
      return found.hasChanges ? EXIT.changes : EXIT.ok;
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
      return result.ok ? EXIT.ok : EXIT.error;
    }),
};
