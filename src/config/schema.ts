import { isIP } from 'node:net';
import { z } from 'zod';
import { agentConfigSchema } from '../agent/config.js';
import { checkEngineKeysForBrain } from '../agent/engines/config.js';
import { admissionConfigSchema, checkAdmission } from '../admission/config.js';
import { carriersConfigSchema, checkCarriers } from '../callflow/config.js';
import { checkConsole, consoleConfigSchema } from '../console/config.js';
import { privacyConfigSchema } from '../privacy/config.js';
import { helpdeskConfigSchema } from '../helpdesk/config.js';
import { checkVoicemail, voicemailConfigSchema } from '../voicemail/config.js';
import { checkSip, internalPorts, resolveSip, sipConfigSchema } from './sip.js';
import { checkProvisioning, provisioningConfigSchema } from '../provisioning/config.js';

const port = z.number().int().min(1).max(65535);

export const livekitConfigSchema = z
  .object({
    /**
     * Where every Switchboard part reaches livekit-server (worker, SIP API, provisioning, doctor).
     * Default: ws://127.0.0.1:<port>, the local dev server.
     */
    url: z
      .string()
      .url()
      .refine((u) => /^(wss?|https?):\/\//.test(u), 'use ws://, wss://, http:// or https://')
      .optional(),
    /** Signalling and HTTP API port of livekit-server. */
    port: port.default(7880),
    /** Addresses livekit-server binds; a server reached from other hosts adds its own address. */
    bindAddresses: z.array(z.string().min(1)).min(1).default(['127.0.0.1']),
    /** The address livekit-server offers in ICE candidates (rtc.node_ip). */
    nodeIp: z
      .string()
      .refine((v) => isIP(v) !== 0, 'use an IPv4 or IPv6 address')
      .default('127.0.0.1'),
    rtcTcpPort: port.default(7881),
    rtcUdpPortStart: port.default(50000),
    rtcUdpPortEnd: port.default(50199),
    apiKey: z.string().min(1).default('devkey'),
    apiSecret: z.string().min(1).default('secret'),
    logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  })
  .strict()
  .transform((lk) => ({ ...lk, url: lk.url ?? `ws://127.0.0.1:${lk.port}` }));

export const redisConfigSchema = z
  .object({
    /** One Redis shared by livekit-server, livekit-sip and Switchboard. */
    url: z.string().url().default('redis://127.0.0.1:6379'),
  })
  .strict();

export const controlPlaneConfigSchema = z
  .object({
    /** Address the control plane (webhooks, /metrics, /healthz) binds. */
    host: z.string().min(1).default('127.0.0.1'),
    port: port.default(8080),
    /**
     * Where livekit-server posts room events (the control plane's `/livekit/webhook`), used to
     * give a call whose agent vanished a fresh one. Default: this host and port; set it when
     * livekit-server reaches the control plane under another name (compose, another host).
     */
    webhookUrl: z.string().url().optional(),
  })
  .strict();

export const configSchema = z
  .object({
    /** Names this deployment; every LiveKit object Switchboard creates is marked with it. */
    deployment: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'use lowercase letters, digits and dashes (max 40)')
      .default('switchboard-dev'),
    profile: z.enum(['dev', 'pilot']).default('dev'),
    livekit: livekitConfigSchema.default({}),
    redis: redisConfigSchema.default({}),
    sip: sipConfigSchema.default({}),
    controlPlane: controlPlaneConfigSchema.default({}),
    agent: agentConfigSchema.default({}),
    provisioning: provisioningConfigSchema.default({}),
    admission: admissionConfigSchema.default({}),
    privacy: privacyConfigSchema.default({}),
    carriers: carriersConfigSchema.default({}),
    console: consoleConfigSchema.default({}),
    helpdesk: helpdeskConfigSchema.default({}),
    voicemail: voicemailConfigSchema.default({}),
  })
  .strict()
  // Checks that span slices (for example: no dev password under profile pilot).
  .superRefine((config, ctx) => {
    checkSip(config, ctx);
    checkDistinctPorts(config, ctx);
    checkProvisioning(config, ctx);
    checkAdmission(config, ctx);
    checkCarriers(config, ctx);
    checkConsole(config, ctx);
    checkVoicemail(config, ctx);
    // A cloud engine without its key fails here, at start-up, never mid-call.
    checkEngineKeysForBrain(config, ctx);
  })
  .transform((config) => ({ ...config, sip: resolveSip(config.sip, config.profile) }));

/** Two parts on one TCP port would answer each other's health checks: refuse it up front. */
function checkDistinctPorts(
  config: {
    livekit: { port: number; rtcTcpPort: number };
    sip: { port: number; healthPort: number; internalPortBase: number; tls?: { port: number } };
    agent: { healthPort: number };
    controlPlane: { port: number };
  },
  ctx: z.RefinementCtx,
): void {
  const { livekit, sip } = config;
  const internal = internalPorts(sip.internalPortBase);
  const claims: Array<[string, number]> = [
    ['livekit.port', livekit.port],
    ['livekit.rtcTcpPort', livekit.rtcTcpPort],
    ['sip.port', sip.port],
    ['agent.healthPort', config.agent.healthPort],
    ['controlPlane.port', config.controlPlane.port],
    ...(sip.tls
      ? ([
          ['sip.tls.port', sip.tls.port],
          ...[...internal.all, ...internal.health].map(
            (p) => [`sip.internalPortBase (${p})`, p] as [string, number],
          ),
        ] as Array<[string, number]>)
      : ([['sip.healthPort', sip.healthPort]] as Array<[string, number]>)),
  ];
  const seen = new Map<number, string>();
  for (const [field, port] of claims) {
    const other = seen.get(port);
    if (other)
      ctx.addIssue({
        code: 'custom',
        path: field.split(' ')[0]!.split('.'),
        message: `port ${port} is also ${other}; give each part its own port`,
      });
    else seen.set(port, field);
  }
}

export type SwitchboardConfig = z.infer<typeof configSchema>;
export type LivekitConfig = SwitchboardConfig['livekit'];
export type SipConfig = SwitchboardConfig['sip'];
export type ControlPlaneConfig = SwitchboardConfig['controlPlane'];
