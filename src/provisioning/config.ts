import { z } from 'zod';
import { checkSlice } from './checks.js';
import { e164Schema } from '../common/index.js';
import { checkAddress, checkSipPort, looksLikeDevPassword, SIP_HOST } from './validate.js';

/** Names become part of the LiveKit object name (`sb:<deployment>:<name>`), so keep them plain. */
const objectName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'use lowercase letters, digits and dashes (max 40)');

const e164 = e164Schema();

const address = z.string().superRefine((entry, ctx) => {
  const problem = checkAddress(entry);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * Digest credentials. Both halves are optional in the schema only so that a missing one gets a
 * message that says which; a half-set pair would otherwise be silently ignored by LiveKit.
 * Write the password as a `${ENV}` reference.
 */
const authSchema = z
  .object({
    username: z.string().optional(),
    password: z.string().optional(),
  })
  .strict()
  .superRefine((auth, ctx) => {
    const hasUser = Boolean(auth.username);
    const hasPassword = Boolean(auth.password);
    if (hasUser && !hasPassword) {
      ctx.addIssue({
        code: 'custom',
        path: ['password'],
        message:
          'username is set but password is empty; add password: ${SIP_PASSWORD} or remove auth',
      });
    }
    if (hasPassword && !hasUser) {
      ctx.addIssue({
        code: 'custom',
        path: ['username'],
        message: 'password is set but username is empty; add a username or remove auth',
      });
    }
    if (!hasUser && !hasPassword) {
      ctx.addIssue({
        code: 'custom',
        message: 'auth is empty; give username and password, or remove the auth block',
      });
    }
  });

export const inboundTrunkSchema = z
  .object({
    name: objectName,
    /** Numbers this trunk answers (the called number); empty means any number. Not a security gate. */
    numbers: z.array(e164).default([]),
    /** Carrier signalling addresses (IP or CIDR) allowed to send calls. */
    allowedAddresses: z.array(address).default([]),
    /** Caller numbers allowed on this trunk; empty means any caller. */
    allowedNumbers: z.array(e164).default([]),
    auth: authSchema.optional(),
    /** SRTP: `disable`, `allow`, or `require`. Default: sip.mediaEncryption (require in pilot). */
    mediaEncryption: z.enum(['disable', 'allow', 'require']).optional(),
    /** SIP headers copied onto the caller's participant attributes, e.g. `X-Ticket: ticket`. */
    headersToAttributes: z.record(z.string().min(1), z.string().min(1)).default({}),
    /** How long the caller may ring while the agent joins; LiveKit's own default is 180 s. */
    ringingTimeoutSeconds: z.number().int().min(1).max(600).default(60),
    /** Hard cap on one call, against runaway cost; 0 means no cap. */
    maxCallDurationSeconds: z.number().int().min(0).max(86_400).default(3600),
  })
  .strict();

export const outboundTrunkSchema = z
  .object({
    name: objectName,
    /** Carrier SIP host[:port], for example `example.pstn.twilio.com:5061`. */
    address: z
      .string()
      .regex(SIP_HOST, 'use host or host:port of the carrier, without "sip:" or a user part')
      .superRefine((entry, ctx) => {
        const problem = checkSipPort(entry);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    /** Signalling transport to the carrier; `auto` leaves the choice to livekit-sip (UDP). */
    transport: z.enum(['auto', 'udp', 'tcp', 'tls']).default('udp'),
    /** Caller ids this trunk may present; LiveKit refuses an outbound trunk without one. */
    numbers: z
      .array(e164)
      .min(
        1,
        'give at least one E.164 number this trunk may present as caller id; LiveKit requires one',
      ),
    auth: authSchema.optional(),
    /** Extra SIP headers on every INVITE this trunk sends, e.g. `X-Account: helpdesk`. */
    headers: z
      .record(
        z
          .string()
          .regex(/^[A-Za-z0-9-]{1,64}$/, 'use a SIP header name: letters, digits and dashes'),
        z.string().min(1).max(256),
      )
      .default({}),
  })
  .strict();

export const dispatchRuleSchema = z
  .object({
    name: objectName,
    /** `individual`: one room per call; `direct`: one fixed room; `callee`: a room per called number. */
    type: z.enum(['individual', 'direct', 'callee']).default('individual'),
    /** For `individual` and `callee`; defaults to `call-` (empty for `direct`). */
    roomPrefix: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,32}$/, 'use 1-32 letters, digits, "_" or "-"')
      .optional(),
    /** For `direct` only. */
    roomName: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'use 1-64 letters, digits, "_" or "-"')
      .optional(),
    /** Digits the caller must key in before the call is routed. */
    pin: z
      .string()
      .regex(/^\d{4,12}$/, 'use 4 to 12 digits')
      .optional(),
    /** Inbound trunks (by name) this rule serves; a rule with none would match every call. */
    trunks: z.array(objectName).min(1, 'bind the rule to at least one inbound trunk by name'),
    /**
     * Keeps the caller's number out of LiveKit's room names, participant identities, and so out
     * of its logs and Redis keys. The agent still pseudonymises the caller: every trunk maps the
     * SIP From header to an attribute (see CALLER_FROM_ATTRIBUTE).
     */
    hidePhoneNumber: z.boolean().default(true),
    /** Agent dispatched into each room; defaults to `agent.name` (switchboard-agent). */
    agentName: z.string().min(1).optional(),
    /** Attributes set on the caller's participant. */
    attributes: z.record(z.string().min(1), z.string()).default({}),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if (rule.type === 'direct') {
      if (!rule.roomName) {
        ctx.addIssue({
          code: 'custom',
          path: ['roomName'],
          message: 'a direct rule needs roomName (the one room every call joins)',
        });
      }
      if (rule.roomPrefix !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['roomPrefix'],
          message: 'roomPrefix is for individual and callee rules; use roomName with direct',
        });
      }
    } else if (rule.roomName !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['roomName'],
        message: `roomName is for direct rules; use roomPrefix with ${rule.type}`,
      });
    }
  })
  // Resolved after the checks above, which need to see whether roomPrefix was written.
  .transform((rule) => ({
    ...rule,
    roomPrefix: rule.roomPrefix ?? (rule.type === 'direct' ? '' : 'call-'),
  }));

const EMBEDDED_DEV_PASSWORD = 'switchboard-dev';

/** Embedded dev default: one credential trunk on loopback and one room per call. */
const devTrunk = {
  name: 'dev',
  numbers: [],
  allowedAddresses: [],
  allowedNumbers: [],
  auth: { username: 'softphone', password: EMBEDDED_DEV_PASSWORD },
  headersToAttributes: {},
  ringingTimeoutSeconds: 60,
  maxCallDurationSeconds: 3600,
};
const devRule = {
  name: 'dev-individual',
  type: 'individual' as const,
  roomPrefix: 'call-',
  trunks: ['dev'],
  hidePhoneNumber: true,
  // agentName left out: it follows agent.name, which defaults to switchboard-agent.
  attributes: {},
};

export const provisioningConfigSchema = z
  .object({
    inboundTrunks: z.array(inboundTrunkSchema).default([devTrunk]),
    outboundTrunks: z.array(outboundTrunkSchema).default([]),
    dispatchRules: z.array(dispatchRuleSchema).default([devRule]),
  })
  .strict()
  .superRefine(checkSlice);

export type ProvisioningConfig = z.infer<typeof provisioningConfigSchema>;
export type InboundTrunkConfig = z.infer<typeof inboundTrunkSchema>;
export type OutboundTrunkConfig = z.infer<typeof outboundTrunkSchema>;
export type DispatchRuleConfig = z.infer<typeof dispatchRuleSchema>;

/**
 * Cross-slice checks, run on the whole parsed config (the top-level schema calls this from its
 * superRefine). Paths are absolute, from the root of switchboard.yaml.
 */
export function checkProvisioning(
  config: {
    profile: 'dev' | 'pilot';
    provisioning: ProvisioningConfig;
    voicemail?: { callback?: { trunk: string } };
  },
  ctx: z.RefinementCtx,
): void {
  checkCallbackTrunk(config, ctx);
  if (config.profile !== 'pilot') return;
  const kinds = ['inboundTrunks', 'outboundTrunks'] as const;
  for (const kind of kinds) {
    config.provisioning[kind].forEach((trunk, i) => {
      const password = trunk.auth?.password;
      if (password && looksLikeDevPassword(password)) {
        const embedded =
          password === EMBEDDED_DEV_PASSWORD
            ? ' (the embedded dev trunk applies when provisioning.inboundTrunks is not set: define your own trunks)'
            : '';
        ctx.addIssue({
          code: 'custom',
          path: ['provisioning', kind, i, 'auth', 'password'],
          message:
            'looks like a development password (a dev word or under 16 characters) in a profile: pilot config; ' +
            'generate one (openssl rand -base64 24) and write password: ${SIP_PASSWORD}' +
            embedded,
        });
      }
    });
  }
}

/** `voicemail.callback.trunk` must name an outbound trunk this config provisions. */
function checkCallbackTrunk(
  config: { provisioning: ProvisioningConfig; voicemail?: { callback?: { trunk: string } } },
  ctx: z.RefinementCtx,
): void {
  const trunk = config.voicemail?.callback?.trunk;
  if (trunk === undefined) return;
  const outbound = config.provisioning.outboundTrunks.map((t) => t.name);
  if (outbound.includes(trunk)) return;
  const inbound = config.provisioning.inboundTrunks.some((t) => t.name === trunk);
  ctx.addIssue({
    code: 'custom',
    path: ['voicemail', 'callback', 'trunk'],
    message: inbound
      ? `"${trunk}" is an inbound trunk; a callback dials out through one of provisioning.outboundTrunks`
      : `no outbound trunk is named "${trunk}"; define it under provisioning.outboundTrunks` +
        (outbound.length > 0 ? ` (defined: ${outbound.join(', ')})` : '') +
        ' or fix the name',
  });
}
