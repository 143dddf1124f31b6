import { defineAgent } from '@livekit/agents';
import { prepareProcess, runCall, type ProcessData } from '../agent/index.js';
import { loadConfig } from '../config/index.js';

const load = () => loadConfig().config;

/** The job process the agent worker forks per call: it loads the config `up` handed over. */
export default defineAgent<ProcessData>({
  prewarm: async (proc) => {
    await prepareProcess(proc.userData, load);
  },
  entry: (ctx) => runCall(ctx, load),
});
