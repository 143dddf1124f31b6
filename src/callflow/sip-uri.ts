const USER = /^[A-Za-z0-9+._-]{1,64}$/;

export interface GatewaySipUri {
  profile: 'dev' | 'pilot';
  /** host[:port] of the gateway, validated by the config schema. */
  domain: string;
  /** Validated user part: a configured user or an E.164 number from the pseudonymizer. */
  user: string;
}

/**
 * `sip:<user>@<domain>[;transport=tls]`. The user part is checked against a narrow alphabet here
 * as well, so no caller value can add URI parameters or headers.
 */
export function gatewaySipUri({ profile, domain, user }: GatewaySipUri): string {
  if (!USER.test(user)) throw new Error('SIP user part must be validated before building a URI');
  const transport = profile === 'pilot' ? ';transport=tls' : '';
  return `sip:${user}@${domain}${transport}`;
}
