import { z } from 'zod';

/** Config of the agent's brain (rules, llm or backend). */
export const brainConfigSchema = z.object({}).strict();
