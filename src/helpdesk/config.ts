import { z } from 'zod';

/** The human helpdesk's opening hours (filled in by src/helpdesk/hours.ts's owner). */
export const helpdeskConfigSchema = z.object({}).strict();

export type HelpdeskConfig = z.infer<typeof helpdeskConfigSchema>;
