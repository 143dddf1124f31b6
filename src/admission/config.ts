import { z } from 'zod';

/** Filled in by the admission capability. */
export const admissionConfigSchema = z.object({}).strict();
