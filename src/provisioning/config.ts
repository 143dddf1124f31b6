import { z } from 'zod';

const authSchema = z.object({ username: z.string().min(1), password: z.string().min(1) }).strict();

export const inboundTrunkSchema = z
  .object({
    name: z.string().min(1),
    numbers: z.array(z.string()).default([]),
    allowedAddresses: z.array(z.string()).default([]),
    auth: authSchema.optional(),
  })
  .strict();

export const dispatchRuleSchema = z
  .object({
    name: z.string().min(1),
    type: z.literal('individual').default('individual'),
    roomPrefix: z.string().min(1).default('call-'),
    trunks: z.array(z.string().min(1)).min(1),
  })
  .strict();

/** Embedded dev default: one credential trunk on loopback and one room per call. */
const devTrunk = {
  name: 'dev',
  numbers: [],
  allowedAddresses: [],
  auth: { username: 'softphone', password: 'switchboard-dev' },
};
const devRule = {
  name: 'dev-individual',
  type: 'individual' as const,
  roomPrefix: 'call-',
  trunks: ['dev'],
};

export const provisioningConfigSchema = z
  .object({
    inboundTrunks: z.array(inboundTrunkSchema).default([devTrunk]),
    dispatchRules: z.array(dispatchRuleSchema).default([devRule]),
  })
  .strict();

export type ProvisioningConfig = z.infer<typeof provisioningConfigSchema>;

/** Cross-slice checks, run on the whole parsed config; report with ctx.addIssue({ path, message }). */
export function checkProvisioning(
  _config: { profile: 'dev' | 'pilot'; provisioning: ProvisioningConfig },
  _ctx: z.RefinementCtx,
): void {}
