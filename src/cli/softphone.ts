import type { SwitchboardConfig } from '../config/index.js';

/** What a newcomer types into a softphone to call the agent. */
export function softphoneSettings(config: SwitchboardConfig, logDir: string): string {
  const { sip } = config;
  const lines = ['', 'Switchboard is up.', ''];
  // Only dev prints trunk passwords: they are the example's, and a pilot's are real secrets.
  const withAuth =
    config.profile === 'dev' && sip.plain
      ? config.provisioning.inboundTrunks.filter((t) => t.auth)
      : [];
  for (const trunk of withAuth) {
    lines.push(
      `Softphone (trunk "${trunk.name}"):`,
      `  SIP server   ${sip.publicAddress}:${sip.port} (UDP or TCP)`,
      `  Username     ${trunk.auth!.username}`,
      `  Password     ${trunk.auth!.password}`,
      `  Dial         sip:anything@${sip.publicAddress}`,
      '',
    );
  }
  if (sip.tls)
    lines.push(
      `SIP over TLS   sip:${sip.publicAddress}:${sip.tls.port};transport=tls (SRTP: ${sip.mediaEncryption})`,
    );
  lines.push(
    `LiveKit        ${config.livekit.url} (key ${config.livekit.apiKey})`,
    `Control plane  http://${config.controlPlane.host}:${config.controlPlane.port} (/healthz, /readyz, /metrics)`,
    `Logs           ${logDir}`,
    '',
    'Press Ctrl-C to stop.',
    '',
  );
  return lines.join('\n');
}
