import { isIP } from 'node:net';
import { stringify } from 'yaml';
import { internalPorts } from '../config/sip.js';
import { livekitWsUrl, type SwitchboardConfig } from '../config/index.js';
import { LIVEKIT_WEBHOOK_PATH } from '../control-plane/index.js';

/** How this host reaches a service bound to `host` (all addresses: loopback). */
export function localHost(host: string): string {
  const local = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return local.includes(':') ? `[${local}]` : local;
}

/** How long livekit-server keeps retrying a signalling message while Redis is unreachable. */
const SIGNAL_RETRY_SECONDS = 120;

/** Where livekit-server posts room events: the control plane's call recovery. */
export function livekitWebhookUrl(config: SwitchboardConfig): string {
  const { controlPlane } = config;
  return (
    controlPlane.webhookUrl ??
    `http://${localHost(controlPlane.host)}:${controlPlane.port}${LIVEKIT_WEBHOOK_PATH}`
  );
}

function redisAddress(url: string): { address: string; db: number; password?: string } {
  const u = new URL(url);
  const db = Number(u.pathname.replace('/', '') || 0);
  return {
    address: `${u.hostname}:${u.port || 6379}`,
    db,
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
  };
}

/** livekit-server's YAML. Both it and livekit-sip must point at the same Redis: SIP state lives there. */
export function livekitServerYaml(config: SwitchboardConfig): string {
  const { livekit } = config;
  return stringify({
    port: livekit.port,
    bind_addresses: livekit.bindAddresses,
    rtc: {
      tcp_port: livekit.rtcTcpPort,
      port_range_start: livekit.rtcUdpPortStart,
      port_range_end: livekit.rtcUdpPortEnd,
      use_external_ip: false,
      node_ip: livekit.nodeIp,
      // On loopback (dev) LiveKit offers no usable ICE candidate without this.
      enable_loopback_candidate: isLoopbackIp(livekit.nodeIp),
    },
    redis: redisAddress(config.redis.url),
    keys: { [livekit.apiKey]: livekit.apiSecret },
    logging: { level: livekit.logLevel, json: true },
    turn: { enabled: false },
    // Room events for call recovery, signed with this API key (the control plane verifies them).
    webhook: { api_key: livekit.apiKey, urls: [livekitWebhookUrl(config)] },
    // livekit-server relays each participant's signalling over psrpc on Redis, and by default
    // gives up on a message after 7.5 s, which drops every call in progress when Redis is away.
    // Retrying for longer than an outage lasts keeps the calls (media never touches Redis).
    signal_relay: { retry_timeout: `${SIGNAL_RETRY_SECONDS}s` },
  });
}

/**
 * livekit-sip's YAML for one generation. Without TLS there is one generation, listening on the
 * public ports itself. With TLS each of the two generations listens on internal ports and a kernel
 * redirect (sip-redirect.ts) sends new connections to the current one, so a renewed certificate
 * starts a new generation while the old one keeps its calls. Its log level defaults to warn
 * because at info it logs the caller's number.
 */
export function livekitSipYaml(config: SwitchboardConfig, generation: 0 | 1 = 0): string {
  const { sip, livekit } = config;
  const internal = internalPorts(sip.internalPortBase);
  return stringify({
    api_key: livekit.apiKey,
    api_secret: livekit.apiSecret,
    ws_url: livekitWsUrl(livekit.url),
    redis: redisAddress(config.redis.url),
    sip_port: sip.port,
    sip_port_listen: sip.tls ? internal.plain[generation] : sip.port,
    ...(isIP(sip.publicAddress) ? {} : { sip_hostname: sip.publicAddress }),
    listen_ip: sip.host,
    nat_1_to_1_ip: sip.publicIp,
    ...(sip.tls
      ? {
          tls: {
            port: sip.tls.port,
            port_listen: internal.tls[generation],
            certs: [{ cert_file: sip.tls.certFile, key_file: sip.tls.keyFile }],
            min_version: 'tls1.2',
          },
        }
      : {}),
    rtp_port: { start: sip.rtpPortStart, end: sip.rtpPortEnd },
    health_port: sip.tls ? internal.health[generation] : sip.healthPort,
    logging: { level: sip.logLevel, json: true },
    use_external_ip: false,
  });
}

function isLoopbackIp(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1';
}
