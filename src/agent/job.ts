import { defineAgent, log, voice, type JobContext } from '@livekit/agents';
import { loadConfig, type SwitchboardConfig } from '../config/index.js';
import { EspeakTTS } from './engines/espeak-tts.js';
import { waitForCallActive, waitForHangup, waitForSipParticipant } from './sip-participant.js';

/** How long the caller's leg may ring before we give up on it becoming active. */
const ACTIVE_TIMEOUT_MS = 20_000;

interface ProcessData extends Record<string, unknown> {
  config: SwitchboardConfig;
}

/** One call: runs in its own job process, forked by the worker. */
export default defineAgent<ProcessData>({
  prewarm: (proc) => {
    proc.userData.config = loadConfig().config;
  },
  entry: async (ctx: JobContext<ProcessData>) => {
    const config = ctx.proc.userData.config ?? loadConfig().config;
    const logger = log().child({ room: ctx.job.room?.name });
    await ctx.connect();
    const caller = await waitForSipParticipant(ctx.room);
    const hangup = waitForHangup(ctx.room, caller);

    const language = config.agent.language;
    const session = new voice.AgentSession({
      tts: new EspeakTTS({ language }),
    });
    await session.start({
      agent: new voice.Agent({ instructions: '' }),
      room: ctx.room,
      inputOptions: { participantIdentity: caller.identity },
      // The line is record-free by design.
      record: false,
    });

    if (await waitForCallActive(ctx.room, caller, ACTIVE_TIMEOUT_MS)) {
      session.say(config.agent.greeting[language], { allowInterruptions: true });
    } else {
      logger.warn('call never became active');
    }

    await hangup;
    logger.info('caller hung up');
    await session.close().catch(() => undefined);
    // Deleting the room ends the job and frees the gateway's resources at once.
    await ctx.deleteRoom().catch(() => undefined);
    ctx.shutdown('caller hung up');
  },
});
