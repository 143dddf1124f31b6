import type { SwitchboardConfig } from '../config/index.js';

/** What a newcomer types into a softphone to call the agent. */
export function softphoneSettings(config: SwitchboardConfig, logDir: string): string {
  const lines = ['', 'Switchboard is up.', ''];
  const withAuth = config.provisioning.inboundTrunks.filter((t) => t.auth);
  for (const trunk of withAuth) {
    lines.push(
      `Softphone (trunk "${trunk.name}"):`,
      `  SIP server   ${config.sip.host}:${config.sip.port} (UDP or TCP)`,
      `  Username     ${trunk.auth!.username}`,
      `  Password     ${trunk.auth!.password}`,
      `  Dial         sip:anything@${config.sip.host}`,
      '',
    );
  }
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
