/**
 * Characters XML 1.0 cannot carry at all (C0 controls other than TAB, LF, CR; lone surrogates;
 * U+FFFE/U+FFFF). The twilio builder throws on them and xmlbuilder2 writes them out, making the
 * document ill-formed, so they are removed before any value reaches a builder. Escaping of
 * `< > & " '` and CR/LF is the builders' job.
 */
/* eslint-disable no-control-regex -- matching control characters is the point */
const ILLEGAL =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/* eslint-enable no-control-regex */

export function xmlSafe(value: string): string {
  return value.replace(ILLEGAL, '');
}
