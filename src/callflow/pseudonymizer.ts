/**
 * What the webhooks need from the admission pseudonymizer (`createPseudonymizer` in admission):
 * `normalize` is the only way a caller value becomes part of a SIP URI (E.164 or nothing), and
 * `pseudonymize` is the only form of a number that reaches a log line or the agent.
 */
export interface CallerPseudonymizer {
  normalize(raw: string | undefined): string | undefined;
  pseudonymize(raw: string | undefined): string | undefined;
}
