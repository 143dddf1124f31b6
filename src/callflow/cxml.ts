import { create } from 'xmlbuilder2';
import { xmlSafe } from './xml-text.js';

export interface ServiceCxml {
  providerAlias: string;
  number: string;
}

/**
 * Cloudonix CXML `<Response><Dial><Service provider="ALIAS">+E164</Service></Dial></Response>`.
 * xmlbuilder2 escapes markup; it does not reject characters XML cannot carry, hence xmlSafe.
 */
export function serviceCxml({ providerAlias, number }: ServiceCxml): string {
  return create({ version: '1.0', encoding: 'UTF-8' })
    .ele('Response')
    .ele('Dial')
    .ele('Service', { provider: xmlSafe(providerAlias) })
    .txt(xmlSafe(number))
    .doc()
    .end({ prettyPrint: false });
}
