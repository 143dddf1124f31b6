import type { VoicemailMessage } from '../voicemail/types.js';
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
  /** The voicemail message store: the caller's messages and callback numbers go too. */
  messages?: CallerMessageStore;
  clock?: () => number;
}

/** The part of the voicemail `MessageStore` that erasure and export need. */
export interface CallerMessageStore {
  listByPseudonyms(pseudonyms: string[]): Promise<VoicemailMessage[]>;
  eraseByPseudonyms(pseudonyms: string[]): Promise<{ messages: number; callbackNumbers: number }>;
  callbackNumber(id: string): Promise<string | undefined>;
}

/**
 * A message in an export. Whether a callback number is stored, and whether it is the number the
 * request names; the number itself is never printed (the requester gave it).
 */
export type ExportedMessage = VoicemailMessage & {
  callbackNumber: { stored: boolean; sameAsRequest: boolean | null };
};

/** What `privacy erase` prints: counts, time and key ids. Never the number or the pseudonyms. */
export interface ErasureReceipt {
  receipt: 'switchboard-privacy-erasure';
  erasedAt: string;
  pseudonymKeyIds: string[];
  deleted: {
    transcripts: number;
    messages: number;
    callbackNumbers: number;
    rateLimitEntries: number;
  };
}

export interface CallerExport {
  exportedAt: string;
  pseudonymKeyIds: string[];
  calls: CallTranscript[];
  messages: ExportedMessage[];
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
 * GDPR erasure of one caller: their transcripts and voicemail messages (with any callback number)
 * under every active pseudonym, then their rate-limit entries (admission owns those keys, so it
 * hands in its own eraser).
 */
export async function eraseCaller(
  request: CallerRequest & {
    eraseRateLimit: (pseudonyms: string[]) => Promise<number>;
  },
): Promise<ErasureReceipt> {
  const pseudonyms = pseudonymsOf(request);
  const { transcripts } = await request.store.eraseByPseudonyms(pseudonyms);
  const { messages, callbackNumbers } = request.messages
    ? await request.messages.eraseByPseudonyms(pseudonyms)
    : { messages: 0, callbackNumbers: 0 };
  const rateLimitEntries = await request.eraseRateLimit(pseudonyms);
  return {
    receipt: 'switchboard-privacy-erasure',
    erasedAt: new Date((request.clock ?? Date.now)()).toISOString(),
    pseudonymKeyIds: keyIds(pseudonyms),
    deleted: { transcripts, messages, callbackNumbers, rateLimitEntries },
  };
}

/** GDPR access request: every stored transcript and voicemail message of one caller. */
export async function exportCaller(request: CallerRequest): Promise<CallerExport> {
  const pseudonyms = pseudonymsOf(request);
  const calls = await request.store.listByPseudonym(pseudonyms);
  const messages: ExportedMessage[] = [];
  const requested = new Set(pseudonyms);
  for (const message of (await request.messages?.listByPseudonyms(pseudonyms)) ?? []) {
    const number = await request.messages!.callbackNumber(message.id);
    const sameAsRequest =
      number === undefined
        ? null
        : request.pseudonymizer.allPseudonyms(number).some((p) => requested.has(p));
    messages.push({ ...message, callbackNumber: { stored: number !== undefined, sameAsRequest } });
  }
  return {
    exportedAt: new Date((request.clock ?? Date.now)()).toISOString(),
    pseudonymKeyIds: keyIds(pseudonyms),
    calls,
    messages,
  };
}
