/**
 * SIP header Twilio adds to the INVITE towards the gateway, carrying the caller's pseudonym.
 * Map it to a participant attribute with the inbound trunk's headersToAttributes, e.g.
 * `{ 'X-Switchboard-Caller': 'switchboard.callerPseudonym' }`. The raw number never goes here.
 */
export const CALLER_PSEUDONYM_HEADER = 'X-Switchboard-Caller';

const USER = /^[A-Za-z0-9+._-]{1,64}$/;
const PSEUDONYM = /^[A-Za-z0-9_-]{1,100}$/;

export interface GatewaySipUri {
  profile: 'dev' | 'pilot';
  /** host[:port] of the gateway, validated by the config schema. */
  domain: string;
  /** Validated user part: a configured user or an E.164 number from the pseudonymizer. */
  user: string;
  callerPseudonym?: string;
}

/**
 * `sip:<user>@<domain>[;transport=tls][?X-Switchboard-Caller=<pseudonym>]`. Every piece is checked
 * against a narrow alphabet here as well, so no caller value can add URI parameters or headers.
 */
export function gatewaySipUri({ profile, domain, user, callerPseudonym }: GatewaySipUri): string {
  if (!USER.test(user)) throw new Error('SIP user part must be validated before building a URI');
  const transport = profile === 'pilot' ? ';transport=tls' : '';
  const header =
    callerPseudonym !== undefined && PSEUDONYM.test(callerPseudonym)
      ? `?${CALLER_PSEUDONYM_HEADER}=${callerPseudonym}`
      : '';
  return `sip:${user}@${domain}${transport}${header}`;
}
