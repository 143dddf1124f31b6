import { z } from 'zod';

/** Filled in by the callflow capability. */
export const carriersConfigSchema = z.object({}).strict();
