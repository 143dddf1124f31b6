/** Why a message was taken. */
export type MessageReason = 'closed' | 'transfer_failed' | 'caller_asked' | 'carrier_fallback';

/** Where a consented callback stands. `none`: no consent, no number was ever stored. */
export type CallbackState =
  'none' | 'requested' | 'dialing' | 'answered' | 'machine' | 'no_answer' | 'failed';

/** A message as the console, the CLI, export and the webhook see it: never a phone number. */
export interface VoicemailMessage {
  /** `vm_<24 hex>`. */
  id: string;
  /** The call it was left on (`SCL_…`, or `twilio:<CallSid>` for the carrier fallback). */
  callId: string | null;
  pseudonym: string | null;
  language: string;
  /** The caller's words, numbers they speak scrubbed as in transcripts. */
  text: string;
  reason: MessageReason;
  createdAt: string;
  expiresAt: string | null;
  callback: {
    state: CallbackState;
    attempts: number;
    updatedAt: string | null;
  };
  webhook: { deliveredAt: string | null; attempts: number };
}

export interface NewMessage {
  callId?: string;
  pseudonym?: string;
  language: string;
  text: string;
  reason: MessageReason;
  /** The caller's E.164 number, only with their consent: stored encrypted, never logged. */
  callbackNumber?: string;
  at?: number;
}

export interface MessageStore {
  save(message: NewMessage): Promise<VoicemailMessage>;
  get(id: string): Promise<VoicemailMessage | undefined>;
  /** Newest first. */
  recent(limit: number): Promise<VoicemailMessage[]>;
  listByPseudonyms(pseudonyms: string[]): Promise<VoicemailMessage[]>;
  eraseByPseudonyms(pseudonyms: string[]): Promise<{ messages: number; callbackNumbers: number }>;
  /** The decrypted callback number; undefined without consent, once done, erased or expired. */
  callbackNumber(id: string): Promise<string | undefined>;
  /** Records a callback attempt's state; `answered` deletes the stored number. */
  recordCallback(id: string, state: Exclude<CallbackState, 'none' | 'requested'>): Promise<void>;
  /** Records a webhook delivery attempt. */
  recordDelivery(id: string, delivered: boolean): Promise<void>;
  /** Ids of messages whose webhook has not been delivered yet, oldest first. */
  undelivered(limit: number): Promise<string[]>;
}
