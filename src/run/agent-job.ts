import { setPriority } from 'node:os';
import { defineAgent, log, type JobContext } from '@livekit/agents';
import { prepareProcess, runCall, warmUpProcess, type ProcessData } from '../agent/index.js';
import { loadConfig } from '../config/index.js';

const load = () => loadConfig().config;
let running: JobContext | undefined;

// The worker that forked this process is gone (killed, crashed). agents-js would keep the orphan
// for 15 s and then exit mid-sentence, and livekit-server takes longer still to notice a vanished
// participant. So the agent leaves the room at once, cleanly: the control plane sees it leave a
// caller behind and gives the call a fresh agent (the room and the caller's lease stay for it).
process.once('disconnect', () => {
  try {
    log().warn('agent worker gone; leaving the call to a fresh agent');
  } catch {
    // The logger is set up only once the worker has initialised this process.
  }
  const leave = running?.room.disconnect() ?? Promise.resolve();
  const bound = new Promise((r) => setTimeout(r, 1_000));
  void Promise.race([leave, bound]).finally(() => process.exit(1));
});

// agents-js starts listening for the worker's messages only once prewarm is done, so a shutdown
// request sent during prewarm is lost, and the worker's drain then waits 60 s for its answer. That
// is the usual case when a worker is stopped right after taking a call (its replacement idle
// process is still prewarming). Such a process holds no call: it exits, which ends the wait.
const shutdownDuringPrewarm = (msg: unknown) => {
  if ((msg as { case?: string } | null)?.case === 'shutdownRequest') process.exit(0);
};
process.on('message', shutdownDuringPrewarm);

// A process warming up for a future call must not slow the calls in progress: a burst's
// replacement processes warm up (about 1 CPU-s each) while it runs, and on two cores that made the
// refused callers' prompts choppy. It warms at the lowest priority and takes its call above normal
// priority (below the media relays', src/stack/stack.ts), when it may raise it again (root, or
// RLIMIT_NICE; otherwise it stays as it is). The call's set-up then no longer shares the CPU evenly
// with the replacement process that starts loading its modules at that very moment: in the call
// bench, INVITE → greeting went from about 1000 to 650-730 ms at the median.
const WARM_UP_PRIORITY = 19;
const CALL_PRIORITY = -5;
const prioritised = mayRaisePriority();
if (prioritised) setPriority(WARM_UP_PRIORITY);

function mayRaisePriority(): boolean {
  try {
    setPriority(1);
    setPriority(0);
    return true;
  } catch {
    return false;
  }
}

/** The call's priority, or the normal one where RLIMIT_NICE allows only that. */
function takeCallPriority(): void {
  try {
    setPriority(CALL_PRIORITY);
  } catch {
    setPriority(0);
  }
}

/** The job process the agent worker forks per call: it loads the config `up` handed over. */
export default defineAgent<ProcessData>({
  prewarm: async (proc) => {
    await warmUpProcess(await prepareProcess(proc.userData, load));
    // From here on agents-js answers shutdown requests itself.
    process.off('message', shutdownDuringPrewarm);
  },
  entry: (ctx) => {
    if (prioritised) takeCallPriority();
    running = ctx;
    return runCall(ctx, load);
  },
});
