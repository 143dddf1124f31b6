import type { TranscriptStore } from './transcript-store.js';
import type { CallTranscript } from './types.js';

/** The part of the admission pseudonymizer that erasure and export need. */
export interface CallerPseudonymizer {
  /** The caller's pseudonym under every active key (a key rotation keeps two). */
  allPseudonyms(raw: string | undefined): string[];
}

export interface CallerRequest {
  /** The caller's number as the data subject gives it, in any format. Never logged or printed. */
  number: string;
  pseudonymizer: CallerPseudonymizer;
  store: TranscriptStore;
  clock?: () => number;
}

/** What `privacy erase` prints: counts, time and key ids. Never the number or the pseudonyms. */
export interface ErasureReceipt {
  receipt: 'switchboard-privacy-erasure';
  erasedAt: string;
  pseudonymKeyIds: string[];
  deleted: { transcripts: number; rateLimitEntries: number };
}

export interface CallerExport {
  exportedAt: string;
  pseudonymKeyIds: string[];
  calls: CallTranscript[];
}

/** The number could not be read as a phone number; the message does not repeat it. */
export class NotAPhoneNumberError extends Error {
  constructor(options?: ErrorOptions) {
    super(
      'the caller value is not a phone number; give it in E.164 ("+", country code, national number), with "00" for "+", or in the national format of admission.region',
      options,
    );
    this.name = 'NotAPhoneNumberError';
  }
}

function pseudonymsOf(request: CallerRequest): string[] {
  const pseudonyms = request.pseudonymizer.allPseudonyms(request.number);
  if (pseudonyms.length === 0) throw new NotAPhoneNumberError();
  return pseudonyms;
}

const keyIds = (pseudonyms: string[]): string[] => [
  ...new Set(pseudonyms.map((p) => p.slice(0, p.indexOf('_')))),
];

/**
 * GDPR erasure of one caller: their transcripts under every active pseudonym, then their
 * rate-limit entries (admission owns those keys, so it hands in its own eraser).
 */
export async function eraseCaller(
  request: CallerRequest & {
    eraseRateLimit: (pseudonyms: string[]) => Promise<number>;
  },
): Promise<ErasureReceipt> {
  const pseudonyms = pseudonymsOf(request);
  const { transcripts } = await request.store.eraseByPseudonyms(pseudonyms);
  const rateLimitEntries = await request.eraseRateLimit(pseudonyms);
  return {
    receipt: 'switchboard-privacy-erasure',
    erasedAt: new Date((request.clock ?? Date.now)()).toISOString(),
    pseudonymKeyIds: keyIds(pseudonyms),
    deleted: { transcripts, rateLimitEntries },
  };
}

/** GDPR access request: every stored transcript of one caller. */
export async function exportCaller(request: CallerRequest): Promise<CallerExport> {
  const pseudonyms = pseudonymsOf(request);
  const calls = await request.store.listByPseudonym(pseudonyms);
  return {
    exportedAt: new Date((request.clock ?? Date.now)()).toISOString(),
    pseudonymKeyIds: keyIds(pseudonyms),
    calls,
  };
}
