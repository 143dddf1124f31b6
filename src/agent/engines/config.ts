import { z } from 'zod';

/** Config of the agent's engines (offline or cloud STT, LLM, TTS). */
export const enginesConfigSchema = z.object({}).strict();
