import { z } from 'zod';

/** Filled in by the privacy capability. */
export const privacyConfigSchema = z.object({}).strict();
