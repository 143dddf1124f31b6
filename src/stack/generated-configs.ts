import { stringify } from 'yaml';
import { livekitWsUrl, type SwitchboardConfig } from '../config/index.js';

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
    bind_addresses: ['127.0.0.1'],
    rtc: {
      tcp_port: livekit.rtcTcpPort,
      port_range_start: livekit.rtcUdpPortStart,
      port_range_end: livekit.rtcUdpPortEnd,
      use_external_ip: false,
      node_ip: '127.0.0.1',
      // Everything runs on loopback here; without this LiveKit offers no usable ICE candidate.
      enable_loopback_candidate: true,
    },
    redis: redisAddress(config.redis.url),
    keys: { [livekit.apiKey]: livekit.apiSecret },
    logging: { level: livekit.logLevel, json: true },
    turn: { enabled: false },
  });
}

/** livekit-sip's YAML. Its log level defaults to warn because at info it logs the caller's number. */
export function livekitSipYaml(config: SwitchboardConfig): string {
  const { sip, livekit } = config;
  return stringify({
    api_key: livekit.apiKey,
    api_secret: livekit.apiSecret,
    ws_url: livekitWsUrl(livekit.url),
    redis: redisAddress(config.redis.url),
    sip_port: sip.port,
    listen_ip: sip.host,
    nat_1_to_1_ip: sip.host,
    rtp_port: { start: sip.rtpPortStart, end: sip.rtpPortEnd },
    health_port: sip.healthPort,
    logging: { level: sip.logLevel, json: true },
    use_external_ip: false,
  });
}
