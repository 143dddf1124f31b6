import { z } from 'zod';

/** Config of the agent's classifier (hand-off, emergency and goodbye phrases). */
export const classifierConfigSchema = z.object({}).strict();
